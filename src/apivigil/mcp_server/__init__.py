"""`apivigil mcp`: apivigil's scanner, spec audit and history as tools for an AI assistant,
over stdio with the official Model Context Protocol SDK (`mcp`).

Tools: `scan` (same engine, defaults, limits and safety rules as `apivigil scan`; safe methods
only; a credential only by reference), `audit` (a spec, no traffic), `history`, `diff` and
`explain` (a finding or a rule, with its fix). A credential is the *name* of an environment
variable of the MCP server's process that starts with `APIVIGIL_CRED_` and holds USER:PASSWORD:
the assistant never sees a credential, cannot make the server send any other variable (say a
cloud key) to a host of its choosing, and no tool answer contains a credential (reports are
redacted when recorded, as always).

May import core, spec, checks, engine and store.
"""
