"""Configuration stays on the server: secrets from the environment, an info route that lists
what a client may know (pip install fastapi uvicorn pydantic-settings).

Delete every route that returns `dict(os.environ)` or a settings object (`/env`, `/debug`,
`/config`), then rotate every secret it has shown: the database password, the session key,
the tokens of other services.
"""

import secrets

from fastapi import FastAPI
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    # read from the environment (SECRET_KEY, DATABASE_URL); SecretStr prints as '**********'
    # if a settings object ever reaches a log or a response, and .get_secret_value() gives it
    # to the code that needs it. SECRET_KEY must be set in production.
    secret_key: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_hex(32)))
    database_url: SecretStr = SecretStr("sqlite:///app.db")


settings = Settings()
app = FastAPI()
VERSION = "1.4.0"


@app.get("/api/info")
def info():
    # what a client needs, listed one by one: never os.environ or the settings as a whole
    return {"name": "inventory-api", "version": VERSION}
