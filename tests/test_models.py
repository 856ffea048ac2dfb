"""Models, prices and usage: the built-in list, the models endpoint through the real SDK, the
price table, a conversation's estimated cost and context use."""

from __future__ import annotations

import pytest

from claude_tui.config import DEMO_MODEL
from claude_tui.conversation import Conversation, Message, new_conversation_id
from claude_tui.models import (
    BUILT_IN_MODELS,
    PRICES,
    ModelCatalog,
    ModelInfo,
    context_used,
    context_window,
    cost_text,
    estimated_cost,
    price_of,
    tokens_text,
)
from claude_tui.providers.choice import Providers
from claude_tui.providers.demo import DemoProvider
from tests.fake_api import FakeAPI, closed_port_url, error


def conversation(model: str, *replies: tuple[str | None, dict[str, int]]) -> Conversation:
    c = Conversation(id=new_conversation_id(), model=model)
    for reply_model, usage in replies:
        c.messages.append(Message("user", [{"type": "text", "text": "q"}]))
        c.messages.append(Message("assistant", [{"type": "text", "text": "a"}],
                                  model=reply_model, usage=usage))
    return c


def demo_provider(tmp_path) -> DemoProvider:
    return DemoProvider(1e6, data_dir=tmp_path, config_path=tmp_path / "c.toml")


def test_every_built_in_model_has_a_price_and_limits():
    for model in BUILT_IN_MODELS:
        assert price_of(model.id) is not None, model.id
        assert model.context_window and model.max_output, model.id
    assert price_of("claude-haiku-4-5-20251001") == PRICES["claude-haiku-4-5"]
    assert price_of("claude-unknown-9") is None and price_of(DEMO_MODEL) is None
    # a model of a newer minor version is not priced as its older sibling
    assert price_of("claude-opus-5-7") is None


def test_the_cost_counts_each_reply_at_its_own_models_price():
    usage = {"input_tokens": 1_000_000, "output_tokens": 100_000,
             "cache_creation_input_tokens": 200_000, "cache_read_input_tokens": 2_000_000}
    c = conversation("claude-sonnet-5-5", ("claude-opus-5-5", usage), (None, usage))
    opus, sonnet = PRICES["claude-opus-5-5"], PRICES["claude-sonnet-5-5"]

    def one(p):
        return p.input + 0.1 * p.output + 0.2 * p.cache_write + 2 * p.cache_read

    cost = estimated_cost(c)
    assert cost.usd == pytest.approx(one(opus) + one(sonnet))
    assert cost.unpriced == 0


def test_replies_on_an_unpriced_model_are_counted_apart():
    c = conversation(DEMO_MODEL, (DEMO_MODEL, {"input_tokens": 500, "output_tokens": 50}))
    assert estimated_cost(c).usd == 0 and estimated_cost(c).unpriced == 1


def test_context_use_is_the_latest_request_and_reply():
    c = conversation("claude-opus-5-5",
                     (None, {"input_tokens": 10, "output_tokens": 5}),
                     (None, {"input_tokens": 7, "cache_read_input_tokens": 1000,
                             "cache_creation_input_tokens": 300, "output_tokens": 40}))
    assert context_used(c) == 1347
    c.messages[-1].excluded = True  # a refused reply left the context
    assert context_used(c) == 15


def test_numbers_as_the_status_line_shows_them():
    assert [tokens_text(n) for n in (0, 950, 12_345, 200_000, 999_999, 1_000_000,
                                      1_500_000)] == ["0", "950", "12.3k", "200k", "1M", "1M",
                                                      "1.5M"]
    assert cost_text(0.0412) == "≈$0.04 est."
    assert cost_text(0.004) == "≈<$0.01 est."


def test_the_context_window_comes_from_the_listing_where_it_says():
    listed = [ModelInfo("claude-opus-5-5", "Opus", 500_000, None)]
    assert context_window("claude-opus-5-5", listed) == 500_000
    assert context_window("claude-opus-5-5") == 1_000_000
    assert context_window("claude-haiku-4-5-20251001") == 200_000
    assert context_window("claude-new-1") is None


async def test_claude_lists_the_models_endpoint_through_the_sdk(fake_api: FakeAPI):
    fake_api.models = [f"claude-opus-4-{n}" for n in range(5, 9)] + [
        "claude-sonnet-5-5", "claude-haiku-5-5", "claude-old-1"]
    fake_api.model_details = {
        "claude-sonnet-5-5": {"max_input_tokens": 400_000},
        "claude-haiku-5-5": {"max_input_tokens": None, "max_tokens": None},
        "claude-old-1": {"lifecycle": "retired"},
    }
    provider = fake_api.provider()
    models = await provider.list_models()
    await provider.aclose()
    assert [m.id for m in models] == fake_api.models[:-1]  # the retired one is left out
    by_id = {m.id: m for m in models}
    assert by_id["claude-sonnet-5-5"].context_window == 400_000  # the endpoint's word
    assert by_id["claude-haiku-5-5"].context_window == 1_000_000  # the table fills it in
    assert by_id["claude-opus-4-8"].display_name == "Claude Opus 4.8"
    gets = [r for r in fake_api.received if r.method == "GET"]
    assert gets[0].path.startswith("/v1/models")
    assert gets[0].headers["authorization"] == "Bearer test-key"


async def test_claude_follows_the_pages_of_a_long_listing(fake_api: FakeAPI):
    fake_api.models = [f"claude-model-{n:03d}" for n in range(130)]
    provider = fake_api.provider()
    models = await provider.list_models()
    await provider.aclose()
    assert [m.id for m in models] == fake_api.models
    assert len([r for r in fake_api.received if r.method == "GET"]) == 2  # 100 a page


@pytest.mark.parametrize("where", ["error", "offline"])
async def test_the_built_in_list_answers_when_the_endpoint_cannot(fake_api: FakeAPI, where):
    from claude_tui.providers.anthropic import AnthropicProvider

    fake_api.models_error = error(500)
    provider = (fake_api.provider() if where == "error"
                else AnthropicProvider("k", base_url=closed_port_url(), max_retries=0))
    models = await provider.list_models()
    await provider.aclose()
    assert models == list(BUILT_IN_MODELS)


async def test_the_demo_lists_its_own_model_and_claudes(tmp_path):
    models = await demo_provider(tmp_path).list_models()
    assert models[0].id == DEMO_MODEL
    assert len(models) > 3 and {m.id for m in BUILT_IN_MODELS} <= {m.id for m in models}


async def test_the_catalog_keeps_the_demo_model_beside_claudes(fake_api, tmp_path):
    catalog = ModelCatalog(Providers(demo=demo_provider(tmp_path), claude=fake_api.provider()))
    assert not catalog.listed and catalog.models == list(BUILT_IN_MODELS)
    first, second = await catalog.refresh(), await catalog.refresh()
    await catalog.providers.aclose()
    assert [m.id for m in first] == [*fake_api.models, DEMO_MODEL]
    assert first == second and catalog.listed
    assert len([r for r in fake_api.received if r.method == "GET"]) == 1
    assert not catalog.needs_key("claude-opus-5-5")


async def test_without_a_key_the_claude_models_need_one(tmp_path):
    catalog = ModelCatalog(Providers(demo=demo_provider(tmp_path)))
    models = await catalog.refresh()
    assert models[0].id == DEMO_MODEL
    assert catalog.needs_key("claude-opus-5-5") and not catalog.needs_key(DEMO_MODEL)
