"""
The guided Lesson: seven steps, each a claim of the ELMo paper with its number, a live widget
on the loaded model, a computed line saying whether this model agrees, and presenter notes.

- :mod:`.content`: the steps' fixed text (claims, numbers, notes, default inputs); no Streamlit.
- :mod:`.views`: what a step shows for given inputs (figures and the measured finding),
  computed with :mod:`elmo_core`; no Streamlit, so the handout and the tests call it directly.
- :mod:`.handout`: one self-contained HTML file of every step.
"""
