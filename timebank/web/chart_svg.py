"""A report chart's SVG made fit to sit inside a page: named for screen readers, and allowed by the CSP.

The charts (``timebank.rendering.charts``) are drawn by matplotlib as SVG files for a board paper.
Put as they are into a page, three things go wrong, and this module mends each:

- **The page's Content-Security-Policy** (``style-src 'self'``) blocks inline styles, and
  matplotlib writes every colour and font as a ``style`` attribute, with a ``<style>`` element for
  line joins. Each declaration is written back as the SVG presentation attribute of the same name
  (``fill``, ``stroke-width``, ``font-size`` …), which the policy allows, and the ``<style>``
  element goes. A declaration with no such attribute is refused here, so that a matplotlib upgrade
  writing something new fails a test rather than losing a colour quietly.
- **Names.** The picture is one image to assistive technology (``role="img"``), named by a
  ``<title>`` and described by a ``<desc>`` (``aria-labelledby`` both), and the words matplotlib
  wrote inside it are not read one by one. The page puts the same figures in a table beside it.
- **Ids.** Each chart's ids (its clip paths, hatches and markers, and a group id on nearly every
  element) are the same from chart to chart, and an id must be unique in a page: every id takes the
  chart's name as a prefix, and every reference to it (``url(#…)``, ``href="#…"``) follows.

The size in points goes too, so the picture fills the width of its column and keeps its shape (its
``viewBox``), at 320 pixels as at 1280. ``xlink:href`` becomes plain ``href`` (SVG 2), so the
markup needs only the SVG namespace. The text is matplotlib's, read and written back by the XML
parser, so nothing in it can become markup.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from markupsafe import Markup

__all__ = ["inline_chart"]

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
_S = f"{{{_SVG}}}"

# The CSS properties matplotlib writes that SVG also takes as presentation attributes.
_PRESENTATION = frozenset(
    {
        "clip-path",
        "fill",
        "fill-opacity",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
    }
)
# What matplotlib's one <style> element says, for every element: inherited from the root instead.
_ROOT_PRESENTATION = {"stroke-linejoin": "round", "stroke-linecap": "butt"}
_URL = re.compile(r"url\(#([^)]+)\)")

ElementTree.register_namespace("", _SVG)


def inline_chart(svg: bytes, chart_id: str, title: str, description: str) -> Markup:
    """The chart as an ``<svg>`` element to place in a page, its ids prefixed by ``chart_id``."""
    root = ElementTree.fromstring(svg)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{_S}metadata", f"{_S}style"):
                parent.remove(child)
    for element in root.iter():
        _attributes_for_style(element)
        _prefix_ids(element, chart_id)
    for size in ("width", "height", "version"):
        root.attrib.pop(size, None)
    root.attrib.update(_ROOT_PRESENTATION)
    root.set("class", "tb-chart__image")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("focusable", "false")
    desc = ElementTree.Element(f"{_S}desc", {"id": f"{chart_id}-desc"})
    desc.text = description
    name = ElementTree.Element(f"{_S}title", {"id": f"{chart_id}-title"})
    name.text = title
    root.insert(0, desc)
    root.insert(0, name)
    # Markup: the XML writer escaped every piece of text and every attribute value.
    return Markup(ElementTree.tostring(root, encoding="unicode", short_empty_elements=True))


def _attributes_for_style(element: ElementTree.Element) -> None:
    style = element.attrib.pop("style", None)
    if style is None:
        return
    for declaration in style.split(";"):
        if not declaration.strip():
            continue
        prop, _, value = declaration.partition(":")
        prop, value = prop.strip(), value.strip()
        if prop not in _PRESENTATION:
            raise ValueError(f"the chart's style {prop!r} has no SVG presentation attribute")
        element.set(prop, value)


def _prefix_ids(element: ElementTree.Element, chart_id: str) -> None:
    if "id" in element.attrib:
        element.set("id", f"{chart_id}-{element.attrib['id']}")
    for key, value in list(element.attrib.items()):
        if key == f"{{{_XLINK}}}href" or key == "href":
            del element.attrib[key]
            if not value.startswith("#"):
                raise ValueError("a chart refers only to its own parts, never to another address")
            element.set("href", f"#{chart_id}-{value[1:]}")
        elif "url(#" in value:
            element.set(key, _URL.sub(lambda m: f"url(#{chart_id}-{m.group(1)})", value))
