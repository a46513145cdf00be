"""Which files in an output folder OUT a stage may replace: only those its own earlier run published.

A run's swap (lvseg.publish_swap) sets aside everything under the names the stage owns, so before a run
begins, OUT is checked: its manifest.json (if any) must be one this stage wrote, and every file under the
owned names must be listed by it, or by the journal of a run of the stage that was killed mid-swap (the
staging folder's .journal.json, written before the old manifest is removed). Anything else there belongs
to someone else (a user's folder, another stage's output), and the run is refused before it writes a byte.
"""

from __future__ import annotations

import json
import os

from lvseg import publish_swap, storage

STAGE_KEY = "publisher"     # manifest.json: the stage that wrote it, when the stage gives its name
JOURNAL = ".journal.json"   # staging: what the swap may leave in OUT (removed with the staging folder)
_DAMAGED = object()


class NotOwned(Exception):
    """OUT holds something the stage did not publish; the message (one line) names it."""


def write_journal(staging: str, owned: tuple[str, ...], files: dict[str, int]) -> None:
    """Record, before a swap starts, every file it may leave under the owned names."""
    storage.write_text(storage.join(staging, JOURNAL), json.dumps({"owned": list(owned), "files": sorted(files)}))


def check(out: str, owned: tuple[str, ...], stage: str, keep_others: bool) -> tuple[str, ...]:
    """Raise NotOwned unless OUT holds, under ``owned``, only what this stage published; returns the names
    to keep (``keep_others``: the previous manifest's names this run does not own)."""
    previous = _manifest(out)
    present = publish_swap.listing(out, owned)
    occupied = _occupied_names(out, owned)
    if previous is _DAMAGED:
        if occupied:
            raise NotOwned(f"{storage.join(out, publish_swap.MANIFEST)} cannot be read, so lvseg cannot tell "
                           f"whether {occupied[0]} is its own; remove both, or choose another output folder")
        return ()
    files, names = _journaled(out)
    if previous is not None:
        if not _same_stage(previous, owned, stage):
            raise NotOwned(f"{out} holds {_describe(previous)} (its {publish_swap.MANIFEST}); a stage never "
                           f"writes into another stage's output: choose another output folder")
        files |= set(previous["files"])
        names |= set(previous["owned"])
    foreign = [rel for rel in present if rel not in files]
    foreign += [name for name in occupied if name not in names and not any(publish_swap.is_owned(rel, (name,))
                                                                          for rel in present)]
    if foreign:
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        raise NotOwned(f"{out} already holds {foreign[0]}{more}, which no earlier run of this stage published; "
                       f"lvseg never replaces files it does not own: move them away or choose another output "
                       f"folder")
    if not keep_others or previous is None:
        return ()
    return tuple(name for name in previous["owned"] if name not in owned)


def _manifest(out: str):
    """OUT's manifest when it is one lvseg wrote; None when there is none; _DAMAGED otherwise."""
    path = storage.join(out, publish_swap.MANIFEST)
    try:
        found = json.loads(storage.read_text(path))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError):
        return _DAMAGED
    if not isinstance(found, dict) or not isinstance(found.get("files"), dict) or \
            not isinstance(found.get("owned"), list):
        return _DAMAGED
    return found


def _same_stage(previous: dict, owned: tuple[str, ...], stage: str) -> bool:
    if stage or previous.get(STAGE_KEY):
        return previous.get(STAGE_KEY) == stage
    return set(previous["owned"]) == set(owned)


def _describe(manifest: dict) -> str:
    what = manifest.get(STAGE_KEY) or manifest.get("kind")
    if what:
        return f"the output of another stage ({what})"
    return f"the output of another stage (owning {', '.join(map(str, manifest['owned']))})"


def _occupied_names(out: str, owned: tuple[str, ...]) -> list[str]:
    """Owned names that exist in a local OUT at all (an empty folder, a link, a FIFO hold no listed file)."""
    if storage.is_gcs(out):
        return []
    return [name for name in owned if os.path.lexists(os.path.join(out, name))]


def _journaled(out: str) -> tuple[set[str], set[str]]:
    """(files, names) that journals of killed runs' staging folders vouch for."""
    files: set[str] = set()
    names: set[str] = set()
    for folder in publish_swap.stale_staging(out):
        try:
            journal = json.loads(storage.read_text(storage.join(folder, JOURNAL)))
            files |= {str(f) for f in journal["files"]}
            names |= {str(n) for n in journal["owned"]}
        except (OSError, ValueError, KeyError, TypeError):
            continue  # no journal: that run never began a swap, so it left nothing in OUT
    return files, names
