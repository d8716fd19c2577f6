"""The texts the dialogue sends: every one it names exists in the domain and has every field it needs."""

import re
from pathlib import Path

import pytest
import yaml

from bot.dialogue.texts import Texts, default_texts, fill, template_fields

ROOT = Path(__file__).resolve().parents[3]
CODE = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "bot" / "dialogue").glob("*.py"))
# The fields the code fills, by the keyword arguments it passes to `say`.
FIELDS = set(re.findall(r"\b([a-z_]+)=", CODE))


def test_every_response_named_by_the_dialogue_exists():
    texts = default_texts()
    named = set(re.findall(r"[\"'](utter_[\w/]+)[\"']", CODE))
    assert named and sorted(name for name in named if name not in texts) == []
    for prefix in set(re.findall(r"f[\"'](utter_[\w/]*)\{", CODE)):
        assert any(name.startswith(prefix) for name in texts.responses), prefix


@pytest.mark.parametrize("name", sorted(default_texts().responses))
def test_every_field_of_a_response_is_one_the_code_fills(name):
    assert template_fields(default_texts(), name) <= FIELDS, name


def test_every_faq_topic_has_a_label_for_clarification():
    topics = {
        item["intent"].split("/", 1)[1]
        for item in yaml.safe_load((ROOT / "data" / "nlu" / "faq.yml").read_text(encoding="utf-8"))["nlu"]
        if "intent" in item
    }
    labelled = set(re.findall(r'"topic": "(\w+)"', str(default_texts().responses["utter_topics"])))
    assert topics == labelled


def test_a_missing_field_is_an_error_not_a_text_with_braces():
    with pytest.raises(KeyError):
        fill("Question {position} sur {total}", {"position": 3})
    texts = Texts({"utter_x": [{"text": "{a} €", "buttons": [{"title": "{a}", "payload": '/x{"k": "v"}'}]}]})
    message = texts.render("utter_x", a="5")
    assert message.text == "5 €" and message.buttons == ({"title": "5", "payload": '/x{"k": "v"}'},)


def test_amounts_and_percentages_keep_their_no_break_spaces():
    for name, variations in default_texts().responses.items():
        for variation in variations:
            text = variation.get("text") or ""
            assert not re.search(r"\d [€%]|€ HT|\d \d{3}\b", text), (name, text)


def test_the_domain_names_the_page_addresses_that_the_settings_replace():
    """The domain writes the page's two addresses; HELP_EMAIL and APPLICATIONS_EMAIL replace them in every text."""
    from bot.dialogue.texts import load_texts, with_addresses
    from bot.settings import PAGE_APPLICATIONS_EMAIL, PAGE_HELP_EMAIL, load_settings

    raw = "".join(file.read_text(encoding="utf-8") for file in (ROOT / "domain").rglob("*.yml"))
    addresses = {address.rstrip(".") for address in re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", raw)}
    assert addresses - {"prenom.nom@exemple.fr"} == {PAGE_HELP_EMAIL, PAGE_APPLICATIONS_EMAIL}  # and an example
    defaults = load_settings({})
    assert (defaults.help_email, defaults.applications_email) == (PAGE_HELP_EMAIL, PAGE_APPLICATIONS_EMAIL)
    moved = with_addresses(load_texts(), "aide@exemple.fr", "candidatures@exemple.fr")
    every = repr(moved.responses)
    assert PAGE_HELP_EMAIL not in every and PAGE_APPLICATIONS_EMAIL not in every
    assert "aide@exemple.fr" in moved.render("utter_faq/contact").text


def test_a_button_list_written_in_several_domain_files_is_the_same_in_each():
    """YAML anchors do not cross files: the main menu is written once per file, and the copies must not drift apart."""
    written: dict[str, dict[str, object]] = {}
    for file in sorted((ROOT / "domain").rglob("*.yml")):
        loader = _AnchorRecorder(file.read_text(encoding="utf-8"))
        loader.get_single_data()
        for anchor, node in loader.anchored.items():
            written.setdefault(anchor, {})[file.name] = loader.construct_object(node, deep=True)
    copied = {anchor: files for anchor, files in written.items() if len(files) > 1}
    assert "main_menu" in copied  # written in general.yml and in the files of the flows that end on it
    for anchor, files in copied.items():
        first = next(iter(files.values()))
        assert all(value == first for value in files.values()), (anchor, sorted(files))


class _AnchorRecorder(yaml.SafeLoader):
    """A YAML loader that keeps the node of every anchor it meets (PyYAML forgets them after each document)."""

    def __init__(self, stream):
        super().__init__(stream)
        self.anchored: dict = {}

    def compose_node(self, parent, index):
        event = self.peek_event()
        anchor = None if isinstance(event, yaml.AliasEvent) else getattr(event, "anchor", None)
        node = super().compose_node(parent, index)
        if anchor:
            self.anchored[anchor] = node
        return node
