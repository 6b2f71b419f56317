"""One form for a person's name, whatever page it was read from.

Douban writes the same person differently by page: the Top250 list as "胡霞杰 Xiajie Hu" (the
Chinese name, then a romanised form), the subject page's ``#info`` as "胡霞杰". Every parser
passes each name through :func:`person_name`, so a film's ``directors``, ``writers`` and
``actors`` are equal whichever spider read them:

- a name that starts with Chinese, Japanese or Korean script and continues, after a space, with
  a form in Latin script keeps only the first part: "宫崎骏 Hayao Miyazaki" -> "宫崎骏",
  "弗兰克·德拉邦特 Frank Darabont" -> "弗兰克·德拉邦特";
- any other name is kept whole: "Frank Darabont" (no Chinese name on Douban), "Michael Rymer",
  "J·K·罗琳", "刘伟强".
"""

from __future__ import annotations

import re

# Han (with its extensions and compatibility block), kana, Hangul.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
# "中文名 Romanised Form": a first word holding CJK script, then words holding none.
_NATIVE_THEN_LATIN = re.compile(rf"(\S*[{_CJK}]\S*)\s+[^{_CJK}]*")
# The same when a cut ("...") fell after the native name: "张丰毅 Fengyi Zha", "娜塔莉·波特曼 ".
_NATIVE_BEFORE_BLANK = re.compile(rf"\s*(\S*[{_CJK}]\S*)\s")


def person_name(text: str) -> str:
    """The stored form of one (cleaned) name: see the module docstring."""
    match = _NATIVE_THEN_LATIN.fullmatch(text)
    return match.group(1) if match else text


def person_names(names: list[str]) -> list[str]:
    """Each name in its stored form; a person named twice (in two forms) is kept once."""
    return list(dict.fromkeys(person_name(name) for name in names))


def whole_native_name(fragment: str) -> str | None:
    """The stored form of a name that a cut ended, when the cut left it whole.

    "张丰毅 Fengyi Zha" -> "张丰毅" (the cut fell in the romanised form); "Frank Dara", "原节"
    -> None (the cut may have fallen in the name itself).
    """
    match = _NATIVE_BEFORE_BLANK.match(fragment)
    return match.group(1) if match else None
