"""Tabs: open, close, cycle, jump (as real terminals send alt+digit), restore, tabs.json."""

from __future__ import annotations

from textual._xterm_parser import XTermParser
from textual.widgets import Input

from claude_tui.config import DEMO_MODEL
from claude_tui.storage.session import TabState
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.composer.composer import Composer
from claude_tui.ui.dialogs.confirm_discard import ConfirmDiscardScreen
from claude_tui.ui.dialogs.rename import RenameScreen
from claude_tui.ui.key_words import KeyWords
from claude_tui.ui.tabs.pane import label_length
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    conversation_file,
    demo_options,
    no_animations,  # noqa: F401
    panes,
    screen_text,
    settle,
    tabs_file,
    type_and_send,
    until,
)


def ids(app: ClaudeTUI) -> list[str]:
    return [p.conversation.id for p in panes(app)]


async def test_new_close_cycle_and_jump_with_keys(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(panes(app)) == 1
        await pilot.press("ctrl+n", "ctrl+n")
        await pilot.pause()
        first, second, third = ids(app)
        assert active(app).conversation.id == third
        assert app.focused is active(app).composer  # typing works at once

        await pilot.press("alt+left")
        assert active(app).conversation.id == second
        await pilot.press("ctrl+pageup")
        assert active(app).conversation.id == first
        await pilot.press("alt+left")  # wraps around
        assert active(app).conversation.id == third
        await pilot.press("ctrl+pagedown", "alt+right")
        assert active(app).conversation.id == second
        await pilot.press("alt+1")
        assert active(app).conversation.id == first
        await pilot.press("alt+3")
        assert active(app).conversation.id == third
        await pilot.press("alt+9")  # no ninth tab: nothing changes
        assert active(app).conversation.id == third
        assert isinstance(app.focused, Composer)

        await pilot.press("alt+2", "ctrl+w")  # close the middle one: its right neighbour shows
        await pilot.pause()
        assert ids(app) == [first, third]
        assert active(app).conversation.id == third
        # Never used: its file went with it, so it does not linger in the ctrl+o list.
        assert not (data_dir / "conversations" / f"{second}.json").exists()
        assert app.focused is active(app).composer


async def test_focus_landing_in_a_hidden_tab_does_not_switch_back_to_it(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        first, second = panes(app)
        await until(pilot, lambda: app.focused is second.composer)
        # A switch can hide the focused composer before the new tab's composer takes the focus
        # (a busy machine, a long history to mount): Textual then hands the focus to a sibling
        # that is not hidden itself, the hidden tab's transcript. Here that is done directly.
        app.screen.set_focus(first.view)
        await until(pilot, lambda: app.focused is not first.view)
        await settle(pilot)
        # The tab asked for stays shown, with its composer taking the keys.
        assert app.tabs.active == second.id and active(app) is second
        assert app.focused is second.composer
        await pilot.press("x")
        assert second.draft == "x" and first.draft == ""
        assert tabs_file(data_dir)["active"] == second.conversation.id


async def test_esc_digit_from_a_terminal_jumps_and_types_nothing(data_dir) -> None:
    """Most terminals send alt+1 as ESC 1, which Textual reads as "¡"."""
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        first, second = ids(app)
        composer = active(app).composer
        assert composer is not None and app.focused is composer
        composer.insert("draft")
        for event in XTermParser().feed("\x1b1"):
            app.post_message(event)
        await pilot.pause()
        assert active(app).conversation.id == first
        assert composer.text == "draft"  # no "¡" typed into the tab left behind
        assert "¡" not in (active(app).composer.text)
        for event in XTermParser().feed("\x1b2"):
            app.post_message(event)
        await pilot.pause()
        assert active(app).conversation.id == second
        assert active(app).composer.text == "draft"


async def test_composer_keys_ctrl_w_closes_and_ctrl_j_adds_a_line(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        composer = active(app).composer
        await pilot.press("a", "b", "ctrl+j", "c", "space", "d", "e", "alt+backspace")
        assert composer.text == "ab\nc "
        await pilot.press("ctrl+a", "x")  # the text area's own keys keep their meaning
        assert composer.text == "ab\nxc "
        await pilot.press("ctrl+w")  # a new conversation with only a draft: asked first
        await until(pilot, lambda: isinstance(app.screen, ConfirmDiscardScreen))
        await pilot.press("y")
        await until(pilot, lambda: len(panes(app)) == 1)


async def test_tab_state_is_saved_on_every_change(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        (first,) = ids(app)
        assert tabs_file(data_dir) == {"open": [first], "active": first, "drafts": {}}
        await pilot.press("ctrl+n")
        await pilot.pause()
        second = ids(app)[1]
        assert tabs_file(data_dir) == {"open": [first, second], "active": second, "drafts": {}}
        await pilot.press("alt+left")
        await pilot.pause()
        assert tabs_file(data_dir)["active"] == first
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert tabs_file(data_dir) == {"open": [second], "active": second, "drafts": {}}


async def test_restart_restores_the_same_tabs_in_order_with_the_same_active(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_and_send(pilot, "first conversation")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await type_and_send(pilot, "second conversation")
        await settle(pilot)
        await pilot.press("ctrl+n", "alt+2")
        await pilot.pause()
        before = ids(app)
    assert len(before) == 3

    again = ClaudeTUI(demo_options())
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert ids(again) == before  # same tabs, same order, no extra tab
        assert active(again).conversation.id == before[1]
        assert "second conversation" in screen_text(again)
        assert again.focused is active(again).composer
        # Only the shown tab mounted its messages.
        assert not panes(again)[0].view.loaded
        await pilot.press("alt+1")
        await pilot.pause()
        assert "first conversation" in screen_text(again)
    assert conversation_file(data_dir, before[0])["messages"][0]["content"][0]["text"] == (
        "first conversation"
    )


async def test_restored_tabs_fit_the_bar_and_the_shown_one_is_on_it(data_dir) -> None:
    store = ConversationStore(data_dir)
    opened = [store.create(DEMO_MODEL, title=f"conversation number {n} with a long title")
              for n in range(8)]
    for conversation in opened:
        store.save(conversation)
    store.session.save(TabState(open=[c.id for c in opened], active=opened[-1].id, drafts={}))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: active(app) is not None and
                    active(app).conversation.id == opened[-1].id)
        await settle(pilot)
        for pane in panes(app):
            assert len(app.tabs.get_tab(pane.id).label.plain) <= label_length(8)
        shown = app.tabs.get_tab(active(app).id)
        await until(pilot, lambda: shown.region.x >= 0 and shown.region.right <= app.size.width
                    and shown.region.width > 0)


async def test_closing_a_used_tab_keeps_its_file_and_an_unused_one_deletes_it(data_dir) -> None:
    store = ConversationStore(data_dir)
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_and_send(pilot, "worth keeping")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("f2")  # a title alone is worth keeping too
        await until(pilot, lambda: isinstance(app.screen, RenameScreen))
        app.screen.query_one(Input).value = "Named, not yet written"
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, RenameScreen))
        await pilot.press("ctrl+n")
        await pilot.pause()
        used, named, unused = ids(app)
        await pilot.press("ctrl+w", "ctrl+w", "ctrl+w")
        await pilot.pause()
        fresh = ids(app)  # the last tab closed: a fresh one took its place
        assert len(fresh) == 1 and fresh[0] not in (used, named, unused)
    listed = {summary.id for summary in store.list()}
    assert used in listed and named in listed
    assert unused not in listed
    assert not (data_dir / "conversations" / f"{unused}.json").exists()


async def test_empty_tabs_open_at_quit_are_kept_and_restored(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        before = ids(app)
        await pilot.press("ctrl+q")
    assert len(before) == 2
    again = ClaudeTUI(demo_options())
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert ids(again) == before
        assert active(again).conversation.id == before[1]


async def test_drafts_survive_switching_tabs_and_a_restart(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"first", "ctrl+j", *"draft")
        await pilot.press("ctrl+n", *"second draft", "ctrl+n")
        await pilot.pause()
        first, second, third = ids(app)
        await pilot.press("alt+1")
        await pilot.pause()
        assert active(app).composer.text == "first\ndraft"  # kept while other tabs showed
        assert panes(app)[1].composer.text == "second draft"
        # Saved with the tab state on the switch, not on every key.
        assert tabs_file(data_dir)["drafts"] == {first: "first\ndraft", second: "second draft"}
        await pilot.press(*" and more", "alt+2")
        await pilot.pause()
        await pilot.press(*" too")  # typed after the last switch: saved at quit
        await pilot.press("ctrl+q")

    again = ClaudeTUI(demo_options())
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert ids(again) == [first, second, third]
        assert active(again).conversation.id == second
        assert [p.composer.text for p in panes(again)] == [
            "first\ndraft and more", "second draft too", ""]
        await type_and_send(pilot, "")  # enter sends the restored draft as typed
        await settle(pilot)
        assert active(again).conversation.messages[0].text == "second draft too"
        assert active(again).composer.text == ""
        await pilot.press("alt+1")  # a switch saves again: the sent draft is gone
        await pilot.pause()
    assert tabs_file(data_dir)["drafts"] == {first: "first\ndraft and more"}


async def test_labels_are_inert_short_and_one_line(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        title = "[bold red]evil[/] \x1b]0;pwned\x07 title that goes on and on\nx"
        await type_and_send(pilot, title)
        await settle(pilot)
        tab = app.tabs.get_tab(active(app).id)
        label = tab.label.plain
        assert label.startswith("[bold red]evil[/]")
        assert "\x1b" not in label and "\x07" not in label and "\n" not in label
        assert len(label) <= 28
        for _ in range(7):
            await pilot.press("ctrl+n")
        await pilot.pause()
        assert len(app.tabs.get_tab(panes(app)[0].id).label.plain) <= 12  # many tabs: shorter
        newest = app.tabs.get_tab(active(app).id)
        await pilot.pause()
        assert newest.region.right <= app.size.width  # the shown tab stays on the bar
        assert newest.region.width > 0


async def test_the_config_keymap_remaps_a_binding(data_dir) -> None:
    app = ClaudeTUI(demo_options(keymap={"new_conversation": "ctrl+t"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert len(panes(app)) == 2


async def test_the_apps_own_words_name_the_remapped_keys(data_dir) -> None:
    # Two bindings trade places: the advice must name the key that now does it.
    app = ClaudeTUI(demo_options(keymap={"new_conversation": "ctrl+t", "copy_reply": "ctrl+n",
                                         "newline": "ctrl+b"}))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: active(app).composer is not None)
        assert "ctrl+b adds a line" in active(app).composer.placeholder
        await type_and_send(pilot, "hello")
        await until(pilot, lambda: len(active(app).conversation.messages) == 2)
        await pilot.press("f4")
        await until(pilot, lambda: "Other conversations are unaffected" in screen_text(app))
        assert "unaffected, and ctrl+t starts a" in screen_text(app)
        await pilot.press("y")
        await until(pilot, lambda: app.query("#locked"))
        shown = str(app.query_one("#locked").render())
        assert "Press ctrl+t to start a new conversation" in shown and "ctrl+n" not in shown
        await pilot.press("f2")
        await until(pilot, lambda: any("read-only" in n.message for n in app._notifications))
        assert any("(ctrl+t starts a new one)" in n.message for n in app._notifications)


def test_key_words_rewrite_whole_key_names_in_one_pass() -> None:
    words = KeyWords({"new_conversation": "ctrl+t", "copy_reply": "ctrl+n", "help": "f10"})
    assert words("ctrl+n starts one, f3 copies, f1 helps, f10 too") == (
        "ctrl+t starts one, ctrl+n copies, f10 helps, f10 too")
    assert words("escape stops, enter sends") == "escape stops, enter sends"
    assert KeyWords({})("ctrl+n") == "ctrl+n"


async def test_an_unknown_keymap_id_is_reported_and_the_composer_word_delete_remaps(
    data_dir,
) -> None:
    app = ClaudeTUI(demo_options(keymap={"new_conversaton": "ctrl+t", "delete_word": "ctrl+d"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("new_conversaton" in m and "Unknown" in m for m in messages)
        assert not any("delete_word" in m for m in messages)
        composer = active(app).composer
        composer.insert("two words")
        await pilot.press("ctrl+d")
        assert composer.text == "two "


async def test_alt_backspace_from_a_terminal_deletes_a_word_and_keeps_the_tab(data_dir) -> None:
    """Terminals send alt+backspace as ESC DEL, which Textual alone reads as ctrl+w."""
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        composer = active(app).composer
        composer.insert("keep this word")
        for event in XTermParser().feed("\x1b\x7f"):
            app.post_message(event)
        await pilot.pause()
        assert len(panes(app)) == 2  # the tab is still open
        assert active(app).composer.text == "keep this "


async def test_typing_pound_or_section_sign_types_it_and_stays_in_the_tab(data_dir) -> None:
    """£ (UK shift+3) and § (German shift+3) are the characters Textual gives ESC 3 and ESC 6."""
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n", "ctrl+n")
        await pilot.pause()
        first = ids(app)[0]
        await pilot.press("alt+1")
        await pilot.pause()
        for event in XTermParser().feed("Cost: £5 §2"):
            app.post_message(event)
        await pilot.pause()
        assert active(app).conversation.id == first  # not tab 3, nor tab 6
        assert active(app).composer.text == "Cost: £5 §2"
