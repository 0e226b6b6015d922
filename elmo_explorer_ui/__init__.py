"""
Shared UI code of the ELMo Explorer Streamlit app: model choice and caching, cached vectors,
input parsing, Plotly figures and friendly errors. The analysis itself lives in
``elmo_core.analysis``; pages stay thin and call these helpers.

Modules without Streamlit (``settings``, ``texts``, ``charts``, ``points``, ``model_info``,
``safe_text``, ``uploads``) are plain functions that tests can call directly. User text shown
through Markdown goes through ``safe_text.md``, through Plotly labels ``safe_text.plotly_text``.
"""
