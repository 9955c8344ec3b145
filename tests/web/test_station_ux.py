"""Live play that 200 people can trust, on the team station (issue 11, items 7 and 10-14): what
needs attention, one clock, Markdown and human labels, drafts that are not lost, limits, and a
heartbeat that notices a dead network."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.proxy import FaultyProxy
from tests.e2e.servers import ServerProcess
from tests.web.conftest import People
from tests.web.test_pages import post, start_exercise
from tests.web.test_play import QUESTION, send_police_message

BLUR = "window.dispatchEvent(new Event('blur'))"
FOCUS = "window.dispatchEvent(new Event('focus'))"


@pytest.fixture(scope="module")
def blank(browser: Browser, web_server: ServerProcess) -> Iterator[Page]:
    """A page of the server, for the modules' pure parts."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(web_server.url + "/")
    yield page
    context.close()


def run(page: Page, module: str, body: str) -> Any:
    return page.evaluate(f"import('/assets/js/{module}').then((m) => {{ {body} }})")


def markdown(page: Page, text: str) -> str:
    """The HTML the renderer builds for `text` (to read it; it never parses HTML itself)."""
    return str(
        page.evaluate(
            """(text) => import('/assets/js/markdown.js').then((m) => {
                const box = document.createElement('div');
                box.append(...m.renderMarkdown(text));
                return box.innerHTML;
            })""",
            text,
        )
    )


# -- item 11: Markdown, a safe subset ---------------------------------------------------------------


def test_markdown_renders_the_subset(blank: Page) -> None:
    text = (
        "# Briefing\n\nThe **van** left at *06:10* with `VS-2211`.\nSecond line.\n\n"
        "- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n"
        "| Who | Where |\n|---|---|\n| Ion | Sudhavn |\n\n"
        "See [the register](https://example.org/a?b=1) or <https://example.org/x>.\n\n```\nraw *text*\n```"
    )
    assert markdown(blank, text) == (
        '<h3 class="md-heading">Briefing</h3>'
        "<p>The <strong>van</strong> left at <em>06:10</em> with <code>VS-2211</code>.<br>Second line.</p>"
        '<ul class="md-list"><li>one</li><li>two</li></ul>'
        '<ol class="md-list"><li>first</li><li>second</li></ol>'
        '<blockquote class="md-quote"><p>quoted</p></blockquote>'
        '<div class="md-table"><table><thead><tr><th scope="col">Who</th><th scope="col">Where</th></tr></thead>'
        "<tbody><tr><td>Ion</td><td>Sudhavn</td></tr></tbody></table></div>"
        '<p>See <a href="https://example.org/a?b=1" rel="noopener noreferrer nofollow" target="_blank"'
        ' class="md-link">the register</a> or <a href="https://example.org/x" rel="noopener noreferrer nofollow"'
        ' target="_blank" class="md-link">https://example.org/x</a>.</p>'
        '<pre class="md-code"><code>raw *text*</code></pre>'
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("[click](javascript:alert(1))", "<p>[click](javascript:alert(1))</p>"),
        ("[x](JAVASCRIPT:alert(1))", "<p>[x](JAVASCRIPT:alert(1))</p>"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>"),
        ("[x](vbscript:msgbox)", "<p>[x](vbscript:msgbox)</p>"),
        ("[x](//evil.example)", "<p>[x](//evil.example)</p>"),
        ("**<b>bold</b>**", "<p><strong>&lt;b&gt;bold&lt;/b&gt;</strong></p>"),
        ("`<svg onload=alert(1)>`", "<p><code>&lt;svg onload=alert(1)&gt;</code></p>"),
        ('[a" onmouseover="alert(1)](https://x.example)', '<p><a href="https://x.example/" rel="noopener'),
        ("&lt;b&gt; &amp;", "<p>&amp;lt;b&amp;gt; &amp;amp;</p>"),
        ("| <i>a</i> |\n|---|\n| <u>b</u> |", "&lt;i&gt;a&lt;/i&gt;"),
    ],
)
def test_markdown_never_makes_markup_or_unsafe_links_from_text(blank: Page, text: str, shown: str) -> None:
    html = markdown(blank, text)
    assert html.startswith(shown) or shown in html, html
    assert not re.search(r"<(img|script|svg|iframe)", html)
    assert not re.search(r'href="(?!https?://)', html)
    tags = set(re.findall(r"<([a-z0-9]+)", html))
    assert tags <= {
        "p",
        "strong",
        "em",
        "code",
        "a",
        "br",
        "div",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }


def test_keys_read_as_words(blank: Page) -> None:
    labels = run(
        blank,
        "labels.js",
        "return [m.humanize('info_requested'), m.humanize('eio_ref'), m.humanize('hearing_witness'),"
        " m.fieldLabel({key: 'requesting_authority', label: 'Requesting authority'}), m.fieldLabel({key: 'facts'}),"
        " m.valueLabel({type: 'multiselect'}, ['bank_records', 'search']), m.valueLabel({type: 'enum'}, 'urgent_direct'),"
        " m.valueLabel({type: 'entities'}, ['Ion_B', 'SeaCrew']), m.valueLabel(null, true)];",
    )
    assert labels == [
        "Info requested",
        "EIO ref",
        "Hearing witness",
        "Requesting authority",
        "Facts",
        "Bank records, Search",
        "Urgent direct",
        "Ion_B, SeaCrew",
        "yes",
    ]


# -- item 10: one clock ---------------------------------------------------------------------------


def test_messages_show_the_exercise_time_and_the_wall_time_on_hover(people: People) -> None:
    console = people.open("Carl Controller")
    nils, nora = people.open("Nils Berg"), people.open("Nora Lind")
    start_exercise(console)
    post(nils, "Ferry MV Aurora left")
    for station in (nils, nora):
        time = station.locator("#messages .message time")
        expect(time).to_have_text(re.compile(r"^D1 \d\d:\d\d$"))
        expect(time).to_have_attribute("title", re.compile(r"^Wall clock \d\d:\d\d:\d\d, "))
    # The clock jumps: later messages read the new simulated time; after a reload (a snapshot)
    # every message keeps the time it was posted at.
    console.get_by_label("Jump to").fill("D2 08:30")
    console.get_by_role("button", name="Jump", exact=True).click()
    expect(nora.locator("#clock")).to_have_text(re.compile(r"^D2 08:3"))
    post(nora, "Next morning")
    expect(nils.locator("#messages .message time").nth(1)).to_have_text(re.compile(r"^D2 08:3"))
    nils.evaluate(
        "() => { for (const k of Object.keys(sessionStorage)) if (k.startsWith('liaison.view.')) sessionStorage.removeItem(k); }"
    )
    nils.reload()
    expect(nils.locator("#connection")).to_have_attribute("data-state", "live")
    times = nils.locator("#messages .message time")
    expect(times.nth(0)).to_have_text(re.compile(r"^D1 "))
    expect(times.nth(1)).to_have_text(re.compile(r"^D2 08:3"))


# -- item 7: what needs attention --------------------------------------------------------------------


def test_unread_counts_in_the_title_and_on_each_panel(people: People) -> None:
    nils, nora = people.open("Nils Berg"), people.open("Nora Lind")
    nora.evaluate(BLUR)  # Nora looks at another window
    post(nils, "One")
    post(nils, "Two")
    badge = nora.locator("#messages-unread")
    expect(badge).to_have_text("2 new")
    expect(nora).to_have_title(re.compile(r"^\(2\) "))
    nora.evaluate(FOCUS)  # she comes back: the channel is on screen, so it is read
    expect(badge).to_be_hidden()
    expect(nora).not_to_have_title(re.compile(r"^\("))
    # Her own messages never count; what she read stays read after a reload.
    post(nora, "Mine")
    nora.reload()
    expect(nora.locator("#connection")).to_have_attribute("data-state", "live")
    expect(nora.locator("#messages-unread")).to_be_hidden()


def test_an_incoming_request_is_marked_new_until_opened(people: People) -> None:
    console = people.open("Carl Controller")
    sara, nils = people.open("Sara Costa"), people.open("Nils Berg")
    start_exercise(console)
    send_police_message(sara)
    incoming = nils.locator("#inbox [data-request]")
    expect(incoming).to_have_attribute("data-new", "true")
    expect(incoming.locator(".new-mark")).to_have_text("New")
    expect(nils.locator("#requests-unread")).to_have_text("1 new")
    expect(incoming.locator(".request-title")).to_contain_text("SeaCrew Agency and Erik")  # the subject line
    incoming.locator("summary").click()
    expect(nils.locator("#inbox [data-request]")).to_have_attribute("data-new", "false")
    expect(nils.locator("#requests-unread")).to_be_hidden()
    # Sara sees the answer as news on her own request.
    nils.get_by_label("Answer, question or reason").fill("SeaCrew is known to us.")
    nils.get_by_role("button", name="Answer in full").click()
    outgoing = sara.locator("#outbox [data-request]")
    expect(outgoing).to_have_attribute("data-new", "true")
    expect(outgoing.locator(".new-mark")).to_have_text("Updated")


def test_waiting_for_your_co_signature_is_a_state_of_its_own(people: People) -> None:
    console = people.open("Carl Controller")
    sara, sofia = people.open("Sara Costa"), people.open("Sofia Reyes")
    start_exercise(console)
    sara.get_by_role("button", name="New request").click()
    sara.locator("#request-to").select_option("NOR")
    sara.locator("#request-instrument").select_option("MLA")
    sara.locator("#request-subject").fill("Hearing of SeaCrew's director")
    sara.get_by_role("button", name="Save draft for validation").click()
    mine = sara.locator("#outbox [data-request]")
    expect(mine).to_have_attribute("data-status", "draft")
    expect(mine).to_have_attribute("data-waiting", "")  # Sara drafted it: she waits for someone else
    theirs = sofia.locator("#outbox [data-request]")
    expect(theirs).to_have_attribute("data-waiting", "you")
    expect(theirs.locator(".cosign-tag")).to_have_text("Waiting for your co-signature")
    expect(sofia.locator("#requests-unread")).to_have_text("1 new")
    theirs.locator("summary").click()
    sofia.get_by_role("button", name="Validate (co-sign)").click()
    expect(sofia.locator("#outbox [data-request]")).to_have_attribute("data-status", "validated")
    expect(sofia.locator("#outbox [data-request] .cosign-tag")).to_have_count(0)


def test_a_banner_says_the_exercise_is_paused_and_the_clock_jumped(people: People) -> None:
    console = people.open("Carl Controller")
    nils = people.open("Nils Berg")
    start_exercise(console)
    banner = nils.locator("#clock-banner")
    expect(banner).to_be_hidden()
    console.get_by_role("button", name="Pause").click()
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("data-state", "paused")
    expect(banner).to_contain_text("Exercise paused")
    console.get_by_role("button", name="Resume").click()
    expect(banner).to_be_hidden()
    console.get_by_label("Jump to").fill("D2 08:30")
    console.get_by_role("button", name="Jump", exact=True).click()
    expect(banner).to_have_attribute("data-state", "jumped")
    expect(banner).to_contain_text("The clock jumped from D1 ")
    expect(banner).to_contain_text("to D2 08:30")
    nils.get_by_role("button", name="Dismiss").click()
    expect(banner).to_be_hidden()


def test_the_sound_for_urgent_items_is_off_until_turned_on(people: People) -> None:
    console = people.open("Carl Controller")
    sara, nils = people.open("Sara Costa"), people.open("Nils Berg")
    start_exercise(console)
    sound = nils.locator("#sound")
    expect(sound).not_to_be_checked()

    def urgent_request(subject: str) -> None:
        sara.get_by_role("button", name="New request").click()
        sara.locator("#request-to").select_option("NOR")
        sara.locator("#request-instrument").select_option("POLICE_MSG")
        sara.locator("#request-subject").fill(subject)
        sara.get_by_label("question").fill(QUESTION)
        sara.locator("#request-urgent").check()
        sara.get_by_role("button", name="Send request").click()
        expect(sara.locator("#outbox [data-request]").filter(has_text=subject)).to_have_count(1)

    urgent_request("First urgent one")
    expect(nils.locator("#inbox [data-request]")).to_have_count(1)
    assert sound.get_attribute("data-beeps") is None  # off by default: no beep
    sound.check()
    expect(sound).to_have_attribute("data-beeps", "1")  # a sample when turned on
    urgent_request("Second urgent one")
    expect(nils.locator("#inbox [data-request]")).to_have_count(2)
    expect(sound).to_have_attribute("data-beeps", "2")
    nils.reload()
    expect(nils.locator("#connection")).to_have_attribute("data-state", "live")
    expect(nils.locator("#sound")).to_be_checked()  # the choice is kept


# -- item 11: labels and the subject line; item 12: drafts ------------------------------------------


def test_a_form_reads_in_words_and_a_refused_send_marks_the_field_and_leaves_no_draft(people: People) -> None:
    console = people.open("Carl Controller")
    sofia = people.open("Sofia Reyes")
    start_exercise(console)
    sofia.get_by_role("button", name="New request").click()
    sofia.locator("#request-to").select_option("NOR")
    sofia.locator("#request-instrument").select_option("MLA")
    fields = sofia.locator("#request-fields")
    expect(fields.locator("[data-field=facts] label")).to_contain_text("Facts")
    expect(fields.locator("[data-field=measures] legend")).to_contain_text("Measures")
    expect(fields.locator("[data-field=measures] label")).to_have_text(
        [" Hearing witness", " Bank records", " Search"]
    )
    sofia.locator("#request-subject").fill("Hearing of SeaCrew's director")
    fields.get_by_label("Facts").fill("Too short.")
    sofia.get_by_role("button", name="Send request").click()
    facts = fields.locator("[data-field=facts]")
    expect(facts).to_have_class(re.compile(r"\binvalid\b"))
    expect(facts.locator(".field-error")).to_contain_text("At least 100 characters")
    expect(fields.locator("[data-field=measures]")).to_have_class(re.compile(r"\binvalid\b"))
    expect(sofia.locator("#request-error")).to_contain_text("see the marks below")
    expect(sofia.locator("#outbox [data-request]")).to_have_count(0)  # both or neither: no draft
    expect(sofia.locator("#request-form")).to_be_visible()  # the form and its text stay
    expect(fields.get_by_label("Facts")).to_have_value("Too short.")
    # No subject: refused, and the subject is marked.
    sofia.locator("#request-subject").fill("")
    sofia.get_by_role("button", name="Save draft").click()
    expect(sofia.locator(".subject-field")).to_have_class(re.compile(r"\binvalid\b"))
    expect(sofia.locator("#outbox [data-request]")).to_have_count(0)


def test_a_draft_is_edited_until_sent_and_the_co_signature_is_cleared(people: People) -> None:
    console = people.open("Carl Controller")
    sara, sofia, nora = people.open("Sara Costa"), people.open("Sofia Reyes"), people.open("Nora Lind")
    observer = people.open("Otto Observer")
    start_exercise(console)
    sara.get_by_role("button", name="New request").click()
    sara.locator("#request-to").select_option("NOR")
    sara.locator("#request-instrument").select_option("MLA")
    sara.locator("#request-subject").fill("Bank records")
    sara.get_by_role("button", name="Save draft for validation").click()
    expect(sara.locator("#outbox [data-request]")).to_have_attribute("data-status", "draft")
    sofia.locator("#outbox [data-request] summary").click()
    sofia.get_by_role("button", name="Validate (co-sign)").click()
    draft = sara.locator("#outbox [data-request]")
    expect(draft).to_have_attribute("data-status", "validated")
    # Sara edits the validated request: the change clears the co-signature.
    draft.locator("summary").click()
    draft.get_by_role("button", name="Edit").click()
    expect(sara.locator("#request-editing")).to_contain_text("clears its co-signature")
    expect(sara.locator("#request-subject")).to_have_value("Bank records")
    sara.locator("#request-subject").fill("Bank records of SeaCrew Agency")
    sara.locator("#request-fields").get_by_label("Facts").fill(
        "SeaCrew Agency took the passport of Erik N. (19) and charged him a travel debt; we need the agency's accounts."
    )
    sara.locator("#request-fields").get_by_label("Bank records").check()
    sara.get_by_role("button", name="Save changes").click()
    expect(sara.locator("#request-form")).to_be_hidden()
    edited = sara.locator("#outbox [data-request]")
    expect(edited).to_have_attribute("data-status", "draft")
    expect(edited.locator(".request-title")).to_contain_text("Bank records of SeaCrew Agency")
    expect(sofia.locator("#outbox [data-request]")).to_have_attribute("data-waiting", "you")
    expect(edited).to_have_attribute("open", "")  # still open, as it was
    expect(edited.locator(".form-values")).to_contain_text("Bank records")
    expect(edited.locator(".history")).to_contain_text("Draft")
    # A draft withdrawn before it was sent leaves every list; the other country never saw it.
    edited.get_by_role("button", name="Withdraw").click()
    expect(sara.locator("#outbox [data-request]")).to_have_count(0)
    expect(sara.locator("#outbox-empty")).to_be_visible()
    expect(sofia.locator("#outbox [data-request]")).to_have_count(0)
    expect(nora.locator("#inbox [data-request]")).to_have_count(0)
    expect(observer.locator("#timeline [data-kind='request.withdrawn']")).to_have_count(1)
    expect(observer.locator("#request-list [data-request]")).to_have_count(0)  # and out of its counts
    expect(observer.locator("#map")).not_to_contain_text("MLA")


# -- item 13: limits and work that survives a reload --------------------------------------------------


def test_length_limits_show_as_you_type(people: People) -> None:
    nils = people.open("Nils Berg")
    box = nils.get_by_label("Message to your team")
    expect(box).to_have_attribute("maxlength", "4000")
    counter = nils.locator("#composer .counter")
    expect(counter).to_have_text("0 / 4,000")
    box.fill("x" * 3700)
    expect(counter).to_have_text("3,700 / 4,000")
    expect(counter).to_have_attribute("data-state", "near")
    box.fill("y" * 5000)  # more than the limit: the box takes no more
    expect(box).to_have_value("y" * 4000)
    expect(counter).to_have_attribute("data-state", "full")
    nils.get_by_role("button", name="New request").click()
    expect(nils.locator("#request-subject")).to_have_attribute("maxlength", "200")
    expect(nils.locator(".subject-field .counter")).to_have_text("0 / 200")


def test_half_typed_text_and_an_open_form_survive_a_reload(people: People) -> None:
    console = people.open("Carl Controller")
    sara = people.open("Sara Costa")
    start_exercise(console)
    sara.get_by_label("Message to your team").fill("Half a thought about the ferry")
    sara.get_by_role("button", name="New request").click()
    sara.locator("#request-to").select_option("NOR")
    sara.locator("#request-instrument").select_option("POLICE_MSG")
    sara.locator("#request-subject").fill("Ferry passenger list")
    sara.get_by_label("question").fill("Who was on the 07:00 ferry")
    sara.reload()
    expect(sara.locator("#connection")).to_have_attribute("data-state", "live")
    expect(sara.get_by_label("Message to your team")).to_have_value("Half a thought about the ferry")
    expect(sara.locator("#request-form")).to_be_visible()
    expect(sara.locator("#request-instrument")).to_have_value("POLICE_MSG")
    expect(sara.locator("#request-subject")).to_have_value("Ferry passenger list")
    expect(sara.get_by_label("question")).to_have_value("Who was on the 07:00 ferry")
    # Sent: the kept text goes, and a reload shows empty boxes.
    sara.get_by_label("question").fill(QUESTION)
    sara.get_by_role("button", name="Send request").click()
    expect(sara.locator("#outbox [data-request]")).to_have_count(1)
    sara.get_by_role("button", name="Send", exact=True).click()
    expect(sara.locator("#messages .text")).to_have_text(["Half a thought about the ferry"])
    sara.reload()
    expect(sara.locator("#connection")).to_have_attribute("data-state", "live")
    expect(sara.get_by_label("Message to your team")).to_have_value("")
    expect(sara.locator("#request-form")).to_be_hidden()


def test_an_oversized_message_is_answered_and_the_text_stays(people: People) -> None:
    nils = people.open("Nils Berg")
    # Past the page's own limits (as an old or scripted page might): the server answers, the
    # connection stays and the box keeps the text.
    # (In one step, so that no render of the page puts the box's maxlength back in between.)
    nils.evaluate(
        """() => {
            const box = document.querySelector('#message-text');
            box.removeAttribute('maxlength');
            box.value = 'z'.repeat(70000);
            document.querySelector('#composer').requestSubmit();
        }"""
    )
    expect(nils.locator("#composer-error")).to_contain_text("more than the 65536")
    expect(nils.locator("#connection")).to_have_attribute("data-state", "live")
    assert nils.locator("#message-text").input_value() == "z" * 70_000
    post(nils, "Short enough")


# -- item 14: a network cut shows within seconds --------------------------------------------------


@pytest.mark.slow
def test_a_network_cut_shows_reconnecting_within_seconds_and_the_teammate_sees_them_away(
    people: People, web_server: ServerProcess
) -> None:
    proxy = FaultyProxy(web_server.port).start()
    try:
        nora = people.open("Nora Lind")
        nils = people.new_page()
        nils.goto(f"http://127.0.0.1:{proxy.port}/#code={people.code('Nils Berg')}")
        nils.locator("#continue").click()
        expect(nils.locator("#connection")).to_have_attribute("data-state", "live")
        expect(nora.locator("#teammates [data-online=true]")).to_have_count(2)
        proxy.pause()  # packets dropped, no close: only the heartbeat can tell
        expect(nils.locator("#connection")).to_have_text("Reconnecting…", timeout=12_000)
        expect(nils.locator("#reconnecting")).to_be_visible()
        # The server takes the silent connection as gone, then the presence grace runs.
        nils_row = nora.locator("#teammates [data-online]").filter(has_text="Nils Berg")
        expect(nils_row).to_have_attribute("data-online", "false", timeout=30_000)
        proxy.resume()
        expect(nils.locator("#connection")).to_have_attribute("data-state", "live", timeout=20_000)
        expect(nils_row).to_have_attribute("data-online", "true")
    finally:
        proxy.stop()
