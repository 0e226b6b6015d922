"""
What one simulated visitor does on each page of the app during the soak (benchmarks/soak.py).

Every function takes a Playwright (async) page already on the app and a round number that varies
the input (other sentences, another word, another layer), so caches see new keys as with real
visitors. Pages the soak does not know are opened and checked for exceptions only.
"""
from __future__ import annotations

import re

from elmo_core.datasets.sense_sentences import curated_words

SUBJECTS = ("The old fisherman", "A tired student", "My neighbour", "The committee", "Her brother", "A small dog")
VERBS = ("saw", "watched", "found", "left", "painted", "remembered")
OBJECTS = ("the bank of the river", "a saw on the bench", "the light in the window", "a ring of keys",
           "the train to the coast", "a spring in the park")
#: Own labelled sentences pasted on Word senses every round (0: none; soak.py --own-lines).
OWN_LINES = 600
REVIEWS = ("A gorgeous, witty film that drags a little at the end .",
           "Dull , long and badly acted ; I wanted my evening back .",
           "Not great , not terrible , but the music is lovely .",
           "The cast is wonderful and the script never lets them down .")


def sentences(round_no: int, session: int, count: int = 4) -> str:
    """``count`` sentences, different for every round and session."""
    lines = []
    for i in range(count):
        k = round_no * 7 + session * 3 + i
        lines.append(f"{SUBJECTS[k % len(SUBJECTS)]} {VERBS[(k // 2) % len(VERBS)]} "
                     f"{OBJECTS[(k // 3) % len(OBJECTS)]} in round {round_no} .")
    return "\n".join(lines)


async def wait_idle(tab) -> None:
    """Until Streamlit has finished running the script (its status widget is gone for 1 s)."""
    await tab.wait_for_timeout(500)
    for _ in range(2):
        await tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
        await tab.wait_for_timeout(500)


def problems(tab):
    """Exception boxes and the app's own "Something went wrong" errors on the page."""
    return tab.locator('[data-testid="stException"]').or_(tab.get_by_text("Something went wrong"))


async def exceptions(tab) -> int:
    return await problems(tab).count()


async def open_page(tab, label: str) -> None:
    """Click ``label`` in the sidebar until the URL names that page (a click during a rerun can be lost)."""
    path = re.compile(rf"/{re.escape(label.replace(' ', '_'))}(\?|$)")
    link = tab.locator('[data-testid="stSidebarNav"] a', has_text=label).first
    for attempt in range(3):
        await link.click()
        try:
            await tab.wait_for_url(path, timeout=30_000)
            break
        except Exception:  # noqa: BLE001 - retried, the last attempt raises
            if attempt == 2:
                raise
    await wait_idle(tab)
    await tab.wait_for_selector("h1")


async def choose(tab, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (typed into its search box)."""
    box = tab.locator('[data-testid="stSelectbox"]', has_text=label).first
    await box.click()
    await tab.keyboard.type(option)
    await tab.keyboard.press("Enter")
    await wait_idle(tab)


async def click_radio(tab, option: str) -> None:
    await tab.locator('[data-testid="stRadio"] label', has_text=option).first.click()
    await wait_idle(tab)


async def sentence_lab(tab, round_no: int, session: int) -> None:
    area = tab.locator('[data-testid="stTextArea"] textarea').first
    await area.fill(sentences(round_no, session))
    await area.press("Control+Enter")
    await wait_idle(tab)
    await tab.wait_for_selector("text=Token similarity per layer")


def own_sense_lines(word: str, round_no: int, session: int, count: int) -> str:
    """``count`` labelled lines "sense | sentence" with ``word``, new in every round and session
    (a visitor pasting a set of their own sentences: hundreds of new vectors to embed)."""
    lines = []
    for i in range(count):
        k = round_no * 31 + session * 17 + i
        lines.append(f"{'one' if i % 2 else 'two'} | {SUBJECTS[k % len(SUBJECTS)]} {VERBS[(k // 6) % len(VERBS)]} "
                     f"the {word} near {OBJECTS[(k // 36) % len(OBJECTS)]} on day {round_no} {session} {i} "
                     f"while {SUBJECTS[(k // 5) % len(SUBJECTS)].lower()} waited outside .")
    return "\n".join(lines)


async def word_senses(tab, round_no: int, session: int) -> None:
    words = curated_words()
    word = words[(round_no * 2 + session) % len(words)]
    await choose(tab, "Word", word)
    await tab.wait_for_selector("text=Which layer knows the sense?")
    await click_radio(tab, f"layer {round_no % 3}")
    if OWN_LINES:
        await tab.locator('[data-testid="stExpander"]', has_text="Add your own sentences").first.click()
        area = tab.locator('[data-testid="stTextArea"]', has_text="One per line").locator("textarea").first
        await area.fill(own_sense_lines(word, round_no, session, OWN_LINES))
        await area.press("Control+Enter")
        await wait_idle(tab)
        await tab.wait_for_selector("text=Which layer knows the sense?")


async def umap_explorer(tab, round_no: int, session: int) -> None:
    words = curated_words()
    await choose(tab, "Word", words[(round_no * 3 + session + 5) % len(words)])
    await click_radio(tab, "UMAP")
    compute = tab.get_by_role("button", name="Compute UMAP")
    if await compute.count():
        await compute.click()
    await tab.wait_for_selector("text=/points · UMAP ·/", timeout=300_000)
    await wait_idle(tab)
    await click_radio(tab, "one at a time")
    await tab.locator('[data-testid="stExpander"]', has_text="Place new sentences").first.click()
    area = tab.locator('[data-testid="stTextArea"]', has_text="Sentences, one per line").locator("textarea").first
    await area.fill(sentences(round_no, session, 2))
    await area.press("Control+Enter")
    await tab.get_by_role("button", name="Place on map").click()
    await wait_idle(tab)
    await click_radio(tab, "PCA")
    await click_radio(tab, "side by side")


async def models(tab, round_no: int, session: int) -> None:
    await tab.locator('[data-testid="stExpander"]', has_text="options.json").first.click()
    await wait_idle(tab)


async def sentiment(tab, round_no: int, session: int) -> None:
    area = tab.locator('[data-testid="stTextArea"]', has_text="Text").locator("textarea").first
    await area.fill(f"{REVIEWS[(round_no + session) % len(REVIEWS)]} Round {round_no} .")
    await area.press("Control+Enter")
    await wait_idle(tab)


async def scalar_mix_lab(tab, round_no: int, session: int) -> None:
    """Start a short training run (the page's defaults), cancel it, wait for its row in the results."""
    await tab.get_by_role("button", name="Train", exact=True).click()
    cancel = tab.get_by_role("button", name="Cancel")
    failed = tab.get_by_text("Training failed")
    done = tab.get_by_role("button", name="Clear results")  # the results, with the run's row
    await cancel.or_(failed).or_(done).first.wait_for()
    await tab.wait_for_timeout(2000)
    for _ in range(300):  # the live fragment redraws the button every second: click until it takes
        if await done.count() or await failed.count():
            break
        if await cancel.count():
            try:
                await cancel.first.click(timeout=3000, force=True)
            except Exception:  # noqa: BLE001 - redrawn or gone; look again
                pass
        await tab.wait_for_timeout(1000)
    if await failed.count():
        raise RuntimeError((await failed.first.inner_text())[:300])
    await done.wait_for()
    await wait_idle(tab)


async def any_page(tab, round_no: int, session: int) -> None:
    await wait_idle(tab)


ACTIONS = {"Sentence lab": sentence_lab, "Word senses": word_senses, "UMAP explorer": umap_explorer,
           "Models": models, "Sentiment": sentiment, "Scalar mix lab": scalar_mix_lab}


async def nav_labels(tab) -> list[str]:
    """The page names in the sidebar (the icon's ligature name comes first in each link's text)."""
    texts = await tab.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [re.sub(r"\s+", " ", t.strip().splitlines()[-1]).strip() for t in texts]
