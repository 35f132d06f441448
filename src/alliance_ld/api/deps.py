"""Dependencies injected into the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..publication import Publication
from ..settings import Settings
from ..sparql import QueryExecutor


def get_publication(request: Request) -> Publication:
    publication: Publication | None = getattr(request.app.state, "publication", None)
    if publication is None:
        from ..errors import AllianceLDError

        raise AllianceLDError("the dataset is not loaded yet")
    return publication


def get_executor(request: Request) -> QueryExecutor:
    executor: QueryExecutor = request.app.state.executor
    return executor


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


PublicationDep = Annotated[Publication, Depends(get_publication)]
ExecutorDep = Annotated[QueryExecutor, Depends(get_executor)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
