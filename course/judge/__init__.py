"""The judge: grades decided by trusted code that learner code cannot reach.

- ``plan``: reads a source notebook's grade cells (trusted) into what the sandbox may
  see (code, visible checks, the expressions of hidden checks) and what it must not
  (quiz keys, the expected side of hidden checks);
- ``sandbox``: runs a learner's copy under a dedicated account, in fresh namespaces,
  with limits, and ends every process afterwards;
- ``runner``: what runs inside the sandbox; its report is treated as hostile data;
- ``plain``: the plain-data form in which values cross the sandbox boundary;
- ``preprocessor``: nbgrader's Execute replaced, so nbgrader stays the system of record.
"""

# The judge's private records inside a course or session folder (references, per-copy notes).
JUDGE_FOLDER = ".juge"
