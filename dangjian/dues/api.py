"""JSON API routes of this app, mounted by dangjian.api.api under /api/dues/."""

from ninja import Router

router = Router()
