from dangjian.members.selectors import members_visible


def test_township_sees_only_its_members(tree):
    names = set(members_visible(tree.users["township_organizer"]).values_list("name", flat=True))
    assert names == {"李明"}
    assert set(members_visible(tree.users["county_admin"]).values_list("name", flat=True)) == {"李明", "王芳"}
    assert list(members_visible(tree.users["member"]).values_list("name", flat=True)) == ["李明"]
