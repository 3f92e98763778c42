"""User input as a template variable, never as template source
(pip install fastapi uvicorn jinja2)."""

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from jinja2 import Environment

app = FastAPI()

# Autoescape on: the variable is HTML-escaped. (With template files, use
# fastapi.templating.Jinja2Templates and pass the input in the context the same way.)
env = Environment(autoescape=True)
HELLO = env.from_string("<p>Hello {{ name }}</p>")  # fixed text, compiled once


@app.get("/api/hello", response_class=HTMLResponse)
def hello(name: str = "world"):
    # not env.from_string("<p>Hello " + name + "</p>").render(): the input would be code.
    # If users must write templates themselves, render them with
    # jinja2.sandbox.SandboxedEnvironment instead.
    return HELLO.render(name=name)
