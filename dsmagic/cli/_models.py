"""``dsmagic models list|show``: the model registry from the shell."""

from __future__ import annotations

import argparse
import json


def register(subparsers) -> None:
    models = subparsers.add_parser("models", help="list and show registered models")
    verbs = models.add_subparsers(dest="verb", metavar="VERB", required=True)
    listing = verbs.add_parser("list", help="registered models with latest version and aliases")
    listing.add_argument("--json", action="store_true", help="print JSON records")
    listing.set_defaults(handler=_list)
    show = verbs.add_parser("show", help="a model's versions, or one version in full")
    show.add_argument("ref", help="name (all versions), name@3, name@latest or name@alias")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=_show)
    card = verbs.add_parser("card", help="write the model card of a version (or a run)")
    card.add_argument("ref", help="name@version, name@alias, name@latest, or a run id")
    card.add_argument("--html", default=None, metavar="PATH", help="write self-contained HTML")
    card.add_argument("--markdown", "--md", default=None, metavar="PATH", help="write Markdown")
    card.add_argument("--intended-use", default="", help="what the model is for")
    card.add_argument("--limitations", default="", help="known limits, in your words")
    card.set_defaults(handler=_card)


def _list(args: argparse.Namespace) -> int:
    from dsmagic.models import list_models

    frame = list_models()
    if args.json:
        print(frame.to_json(orient="records", date_format="iso"))
    elif frame.empty:
        print("no registered models yet: register one with dm.register_model(run, name)")
    else:
        print(frame.to_string(index=False))
    return 0


def _record(version) -> dict:
    lineage = version.lineage()
    return {
        "name": version.name,
        "version": version.version,
        "aliases": version.aliases,
        "run_id": version.run_id,
        "artifact": version.artifact_path,
        "model_class": version.model_class,
        "flavor": version.flavor,
        "description": version.description,
        "created_at": version.created_at,
        "datasets": lineage["datasets"],
    }


def _show(args: argparse.Namespace) -> int:
    from dsmagic.models import get_model_version, model_versions

    versions = [get_model_version(args.ref)] if "@" in args.ref else model_versions(args.ref)
    if args.json:
        print(json.dumps([_record(v) for v in versions], indent=2, default=str))
        return 0
    for version in versions:
        print(version._display_text())
        datasets = version.lineage()["datasets"]
        for item in datasets:
            print(f"  data: {item['dataset']} v{item['version']} ({item['rows']} rows)")
    return 0


def _card(args: argparse.Namespace) -> int:
    from dsmagic.models import model_card

    card = model_card(args.ref, intended_use=args.intended_use, limitations=args.limitations)
    if args.html:
        card.to_html(args.html)
        print(f"wrote {args.html}")
    if args.markdown:
        card.to_markdown(args.markdown)
        print(f"wrote {args.markdown}")
    if not (args.html or args.markdown):
        print(card.to_markdown(), end="")
    return 0
