"""The edges people touch: the HTTP API, the pages and the CLI, one folder per domain.

The domains depend on each other one way only, each on those below it (never up, never in a
circle; tests/test_no_cycles.py and the layers contract in pyproject.toml hold it):

    cli → runner → app                      the command line, the server, the app that mounts every router
    campaigns | notifications | ops | packets   independent of each other
    submissions     the unit's side: uploads, 提交审核 (submitting.py), the unit's pages
    review          the reviewers' side: queues, desk, the stage flow
    files           a submission's files as read (status JSON, originals), shown by both above
    auth            accounts, logins, eligibility and a unit's binding to its recommender
    security        who may see what (access.py), guards, the audit log, quotas, headers
    kit             errors, dependencies, templates, render helpers (imports no domain)

The unit's pages show where its submission stands in the review, and its 提交审核 starts the
review, so submissions sits above review; what both show of a file is `files`, below both.
"""
