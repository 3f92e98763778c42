"""User input as a template variable, never as template source (pip install flask)."""

from flask import Flask, render_template_string, request

app = Flask(__name__)

# The template is fixed text; the input is passed to it as a variable, which Jinja escapes.
# (render_template("hello.html", name=name) with a file in templates/ works the same way.)
HELLO = "<p>Hello {{ name }}</p>"


@app.get("/api/hello")
def hello():
    name = request.args.get("name", "world")
    # not render_template_string("<p>Hello " + name + "</p>"): the input would be code.
    # If users must write templates themselves, render them with
    # jinja2.sandbox.SandboxedEnvironment, never with Flask's own environment.
    return render_template_string(HELLO, name=name)
