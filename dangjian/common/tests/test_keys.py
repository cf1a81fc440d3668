"""The local key file: created once with owner-only permissions; missing or wrong keys fail loudly."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings

import config.keys
from config.keys import MISSING_KEY_FILE, generate_keys, load_keys, write_key_file
from dangjian.common import crypto
from dangjian.common.management.commands import init_keys
from dangjian.common.models import KeyCheck

ROOT = Path(__file__).resolve().parents[3]


def test_load_keys_on_a_missing_file_names_it_in_chinese(tmp_path):
    path = tmp_path / "keys.json"
    with pytest.raises(ImproperlyConfigured) as info:
        load_keys(path)
    assert str(info.value) == MISSING_KEY_FILE.format(path=path)
    assert "找不到密钥文件" in str(info.value)


@pytest.mark.parametrize("missing", ["secret_key", "data_key", "hash_key"])
def test_load_keys_refuses_an_incomplete_file(tmp_path, missing):
    keys = generate_keys()
    del keys[missing]
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(keys))
    with pytest.raises(ImproperlyConfigured) as info:
        load_keys(path)
    assert missing in str(info.value)


def test_write_key_file_is_owner_only_and_round_trips(tmp_path):
    path = tmp_path / "sub" / "keys.json"
    keys = generate_keys()
    write_key_file(path, keys)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keys(path) == keys


def test_write_key_file_never_overwrites(tmp_path):
    path = tmp_path / "keys.json"
    write_key_file(path, generate_keys())
    before = path.read_text()
    with pytest.raises(FileExistsError):
        write_key_file(path, generate_keys())
    assert path.read_text() == before


def test_generated_keys_are_fresh_and_usable():
    a, b = generate_keys(), generate_keys()
    assert a != b
    with override_settings(DANGJIAN_DATA_KEY=a["data_key"], DANGJIAN_HASH_KEY=a["hash_key"]):
        assert crypto.decrypt(crypto.encrypt("秘密")) == "秘密"


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "keys.json"
    monkeypatch.setenv("DANGJIAN_KEY_FILE", str(path))
    monkeypatch.setattr(config.keys, "KEY_FILE", path)
    monkeypatch.setattr(init_keys, "KEY_FILE", path)
    return path


@pytest.mark.django_db
def test_init_keys_creates_the_file_on_a_new_install(key_file, capsys):
    KeyCheck.objects.all().delete()  # a new install: nothing written with any key yet
    call_command("init_keys")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert set(load_keys(key_file)) == {"secret_key", "data_key", "hash_key"}
    assert "已生成密钥文件" in capsys.readouterr().out


@pytest.mark.django_db
def test_init_keys_refuses_new_keys_when_the_database_already_holds_encrypted_data(key_file):
    crypto.check_key_matches_database()  # the database has been used with keys
    assert KeyCheck.objects.exists()
    with pytest.raises(CommandError) as info:
        call_command("init_keys")
    assert str(info.value) == init_keys.DATA_WITHOUT_KEYS.format(path=key_file)
    assert not key_file.exists()


@pytest.mark.django_db
def test_init_keys_checks_an_existing_file_against_the_database(key_file, capsys):
    write_key_file(key_file, generate_keys())
    crypto.check_key_matches_database()
    call_command("init_keys")
    assert "已就绪" in capsys.readouterr().out
    other = generate_keys()
    with (
        override_settings(DANGJIAN_DATA_KEY=other["data_key"], DANGJIAN_HASH_KEY=other["hash_key"]),
        pytest.raises(CommandError) as info,
    ):
        call_command("init_keys")
    assert str(info.value) == crypto.KEY_MISMATCH


def test_local_settings_refuse_to_start_without_the_key_file(tmp_path):
    """What an administrator sees when var/keys.json is lost: a loud Chinese message, not a server."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DANGJIAN_KEY_FILE": str(tmp_path / "lost.json"),
        "DANGJIAN_DATA_DIR": str(tmp_path),
    }
    env.pop("DANGJIAN_INIT_KEYS", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "找不到密钥文件" in result.stderr
    assert not (tmp_path / "lost.json").exists()


@pytest.mark.django_db
def test_migrate_records_the_key_fingerprint():
    """Written after every migrate, not only by init_keys or the demo loader: a migrated database
    always knows its keys."""
    from django.core.management.sql import emit_post_migrate_signal

    assert KeyCheck.objects.get().fingerprint == crypto.key_fingerprint()  # the test database's migrate
    KeyCheck.objects.all().delete()
    emit_post_migrate_signal(0, False, "default")
    assert KeyCheck.objects.get().fingerprint == crypto.key_fingerprint()
    emit_post_migrate_signal(0, False, "default")  # never a second row, never overwritten
    assert KeyCheck.objects.count() == 1


@pytest.mark.django_db
def test_init_keys_refuses_new_keys_on_a_migrated_database(key_file):
    """The key file was deleted and init_keys run again: refused, no new key over the old data."""
    assert KeyCheck.objects.exists()  # written by migrate
    with pytest.raises(CommandError) as info:
        call_command("init_keys")
    assert str(info.value) == init_keys.DATA_WITHOUT_KEYS.format(path=key_file)
    assert not key_file.exists()


@pytest.mark.django_db
def test_init_keys_refuses_new_keys_when_members_exist_without_a_fingerprint(key_file, tree):
    from dangjian.members.models import Member

    KeyCheck.objects.all().delete()
    assert Member.objects.exists()
    with pytest.raises(CommandError) as info:
        call_command("init_keys")
    assert str(info.value) == init_keys.DATA_WITHOUT_KEYS.format(path=key_file)
    assert not key_file.exists()


@pytest.mark.django_db
def test_system_check_fails_loudly_on_a_key_that_does_not_fit():
    from django.core.management.base import SystemCheckError

    from dangjian.common.checks import key_matches_database

    assert key_matches_database() == []
    other = generate_keys()
    with override_settings(DANGJIAN_DATA_KEY=other["data_key"], DANGJIAN_HASH_KEY=other["hash_key"]):
        errors = key_matches_database()
        assert [(e.id, e.msg) for e in errors] == [("common.E001", crypto.KEY_MISMATCH)]
        with pytest.raises(SystemCheckError) as info:
            call_command("check")
        assert crypto.KEY_MISMATCH in str(info.value)


@pytest.mark.django_db
def test_system_check_is_quiet_before_the_first_migration(monkeypatch):
    from dangjian.common.checks import key_matches_database

    monkeypatch.setattr(crypto, "key_table_exists", lambda using="default": False)
    other = generate_keys()
    with override_settings(DANGJIAN_DATA_KEY=other["data_key"], DANGJIAN_HASH_KEY=other["hash_key"]):
        assert key_matches_database() == []


@pytest.mark.django_db
def test_wsgi_refuses_to_start_with_a_key_that_does_not_fit(monkeypatch):
    import importlib

    monkeypatch.delitem(sys.modules, "config.wsgi", raising=False)
    importlib.import_module("config.wsgi")  # the right keys: starts
    monkeypatch.delitem(sys.modules, "config.wsgi")
    other = generate_keys()
    with (
        override_settings(DANGJIAN_DATA_KEY=other["data_key"], DANGJIAN_HASH_KEY=other["hash_key"]),
        pytest.raises(crypto.KeyMismatchError) as info,
    ):
        importlib.import_module("config.wsgi")
    assert str(info.value) == crypto.KEY_MISMATCH

