"""JSON API routes of this app, mounted by dangjian.api.api under /api/orglife/."""

from ninja import Router

router = Router()
