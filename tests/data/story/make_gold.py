"""Build ``gold.jsonl`` (the ECB+ gold format ``newsetl eval coref`` reads) from ``annotations.tsv``.

The documents under ``docs/story/`` are synthetic rewrites, written for this check, of the story
the two seeds report (a meeting, the protest note it prompted, the reply), in the styles real
feeds use (headline, URL and "Updated:" lines, datelines, menus, lower-cased wire copy, other
romanizations, no ``published_at``), plus two other meetings of the same people weeks apart.
Each annotated trigger is one gold event mention; its instance says which real-world event it
reports. Run ``python tests/data/story/make_gold.py`` after editing either.
"""

import json
import re
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    annotations: dict[str, list[tuple[str, str, int]]] = {}
    for line in (HERE / "annotations.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            doc, instance, trigger, occurrence = line.split("\t")
            annotations.setdefault(doc, []).append((instance, trigger, int(occurrence)))
    rows = []
    for path in sorted((HERE / "docs" / "story").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        mentions = []
        for instance, trigger, occurrence in annotations.get(path.stem, []):
            # The occurrence-th whole-word match ("met" is not the start of "meeting").
            matches = list(re.finditer(rf"\b{re.escape(trigger)}\b", text))
            start = matches[occurrence - 1].start()
            mentions.append(
                {
                    "kind": "event",
                    "tag": "ACTION_OCCURRENCE",
                    "instance": instance,
                    "start": start,
                    "end": start + len(trigger),
                    "text": trigger,
                    "in_coref_sentence": True,
                }
            )
        rows.append({"doc": f"story/{path.stem}", "text": text, "mentions": mentions})
    lines = [json.dumps(row, sort_keys=True) for row in rows]
    (HERE / "gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
