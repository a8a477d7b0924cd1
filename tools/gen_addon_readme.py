"""Generate an addon's README.rst (and static/description/index.html) from readme/.

The pre-commit hook ``oca-gen-addon-readme`` of this repository runs this script.
OCA's own ``oca-gen-addon-readme`` (OCA/maintainer-tools) is not published on any
package registry, so pre-commit cannot install it where only the registries are
reachable; this script does the same job with the same options and the same layout
of README.rst: the manifest's name, a comment with the digest of the sources, badges,
the DESCRIPTION fragment, a table of contents, then the sections Use Cases / Context,
Installation, Configuration, Usage, Development, Known issues / Roadmap, Changelog,
Bug Tracker and Credits (Authors, Contributors, Other credits, Maintainers).

Fragments are Markdown (readme/DESCRIPTION.md, ...) converted with pandoc as OCA
does (GitHub Flavored Markdown without raw HTML), or reStructuredText (.rst).

Differences from OCA's tool, for a repository outside the OCA:
* no OCA banner, Weblate or Runboat badges, whatever --org-name says;
* links to the repository (badge, Bug Tracker, "part of the project") only with
  --repo-url: without it the README names the project and links nowhere, so no
  badge or link points at a repository that does not exist.

Usage (as the hook calls it):
    python tools/gen_addon_readme.py --addons-dir=. --org-name=... --repo-name=...
        --branch=19.0 --if-source-changed --keep-source-digest
Exit status 1 when a README.rst (or index.html) was written, as pre-commit expects of
a hook that changed files; 0 when everything was up to date.
"""

import argparse
import ast
import hashlib
import re
import sys
import tempfile
from pathlib import Path

FRAGMENTS_DIR = "readme"
# fragment name -> (section title, heading level: 2 = section, 3 = under Credits)
FRAGMENTS = {
    "DESCRIPTION": (None, 2),
    "CONTEXT": ("Use Cases / Context", 2),
    "INSTALL": ("Installation", 2),
    "CONFIGURE": ("Configuration", 2),
    "USAGE": ("Usage", 2),
    "DEVELOP": ("Development", 2),
    "ROADMAP": ("Known issues / Roadmap", 2),
    "HISTORY": ("Changelog", 2),
    "CONTRIBUTORS": ("Contributors", 3),
    "CREDITS": ("Other credits", 3),
}
SECTIONS_BEFORE_CREDITS = (
    "CONTEXT",
    "INSTALL",
    "CONFIGURE",
    "USAGE",
    "DEVELOP",
    "ROADMAP",
    "HISTORY",
)

DEVELOPMENT_STATUS_URL = "https://odoo-community.org/page/development-status"
DEVELOPMENT_STATUS_BADGES = {
    "mature": ("maturity-Mature-brightgreen", "Mature"),
    "production/stable": ("maturity-Production%2FStable-green", "Production/Stable"),
    "beta": ("maturity-Beta-yellow", "Beta"),
    "alpha": ("maturity-Alpha-red", "Alpha"),
}
LICENSE_BADGES = {
    "AGPL-3": ("license-AGPL--3-blue", "https://www.gnu.org/licenses/agpl-3.0-standalone.html"),
    "LGPL-3": ("license-LGPL--3-blue", "https://www.gnu.org/licenses/lgpl-3.0-standalone.html"),
    "GPL-3": ("license-GPL--3-blue", "https://www.gnu.org/licenses/gpl-3.0-standalone.html"),
}

# As OCA: GitHub Flavored Markdown, raw HTML off, and no automatic identifiers
# (docutils would warn about the unreferenced targets).
PANDOC_MARKDOWN_FORMAT = "gfm-raw_html-gfm_auto_identifiers"

# docutils settings for the check and the HTML (as OCA's, from pypa/readme_renderer):
# no file inclusion, no raw HTML, and any warning is an error.
RST2HTML_SETTINGS = {
    "file_insertion_enabled": False,
    "halt_level": 2,
    "math_output": "MathJax",
    "raw_enabled": False,
    "smart_quotes": True,
    "syntax_highlight": "short",
    "xml_declaration": False,
    "output_encoding": "utf-8",
}
GENERATED_MARK = "oca-gen-addon-readme"
DIGEST_RE = re.compile(r"!! source digest: (?P<digest>sha256:\w+)")


def read_manifest(addon_dir):
    """Return the addon's manifest as a dict, or None when the directory is no addon."""
    manifest_path = addon_dir / "__manifest__.py"
    if not manifest_path.is_file():
        return None
    return ast.literal_eval(manifest_path.read_text(encoding="utf-8"))


def find_addons(addons_dir):
    """Yield the installable addons directly inside addons_dir."""
    for addon_dir in sorted(p for p in addons_dir.iterdir() if p.is_dir()):
        manifest = read_manifest(addon_dir)
        if manifest is not None and manifest.get("installable", True):
            yield addon_dir, manifest


def source_digest(addon_dir):
    """sha256 of the manifest and the readme/ files, names included (empty files count)."""
    digest = hashlib.sha256()
    paths = [addon_dir / "__manifest__.py"]
    paths += sorted(
        p
        for p in (addon_dir / FRAGMENTS_DIR).rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(addon_dir).parts)
    )
    for path in paths:
        digest.update(path.relative_to(addon_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()


def fragment_path(addon_dir, name):
    """The fragment's file (.md or .rst), None when it is absent; both is an error."""
    found = [
        p
        for p in (addon_dir / FRAGMENTS_DIR / f"{name}.{ext}" for ext in ("md", "rst"))
        if p.is_file()
    ]
    if len(found) > 1:
        sys.exit(f"Both {found[0]} and {found[1]} exist: remove one of them.")
    return found[0] if found else None


def fragment_rst(path, level):
    """The fragment as reStructuredText, its headings shifted to sit under its section."""
    if path.suffix == ".rst":
        text = path.read_text(encoding="utf-8")
    else:
        import pypandoc  # only needed for Markdown fragments

        text = pypandoc.convert_file(
            str(path),
            to="rst",
            format=PANDOC_MARKDOWN_FORMAT,
            extra_args=[f"--shift-heading-level-by={level - 2}"],
            sandbox=True,
        )
    text = text.strip("\n")
    return text + "\n" if text else ""


def badge_lines(manifest, repo_url):
    """The badges: development status and licence (static images), repository with repo_url."""
    badges = []
    status = manifest.get("development_status", "Beta").lower()
    if status in DEVELOPMENT_STATUS_BADGES:
        image, alt = DEVELOPMENT_STATUS_BADGES[status]
        badges.append((f"https://img.shields.io/badge/{image}.png", DEVELOPMENT_STATUS_URL, alt))
    if manifest.get("license") in LICENSE_BADGES:
        image, target = LICENSE_BADGES[manifest["license"]]
        badges.append(
            (f"https://img.shields.io/badge/{image}.png", target, f"License: {manifest['license']}")
        )
    if repo_url:
        name = repo_url.rstrip("/").rsplit("/", 1)[-1]
        badges.append(
            (
                f"https://img.shields.io/badge/repository-{name.replace('-', '--')}-lightgray.png",
                repo_url,
                name,
            )
        )
    lines = []
    for index, (image, target, alt) in enumerate(badges, 1):
        lines += [
            f".. |badge{index}| image:: {image}",
            f"    :target: {target}",
            f"    :alt: {alt}",
        ]
    if badges:
        lines += ["", " ".join(f"|badge{index}|" for index in range(1, len(badges) + 1))]
    return lines


def heading(title, underline):
    """A reStructuredText section title."""
    return [title, underline * len(title), ""]


def render_readme(addon_name, manifest, fragments, digest, options):
    """The README.rst text of one addon."""
    name = manifest["name"]
    repo_url = options.repo_url
    project = options.repo_name or addon_name
    lines = ["=" * len(name), name, "=" * len(name), ""]
    lines += [
        ".. ",
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        f"   !! This file is generated by {GENERATED_MARK} !!",
        "   !! changes will be overwritten.                   !!",
        "   !! edit readme/*.md and run pre-commit instead.   !!",
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        f"   !! source digest: {digest}",
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        "",
    ]
    badges = badge_lines(manifest, repo_url)
    if badges:
        lines += [*badges, ""]
    if "DESCRIPTION" in fragments:
        lines += [fragments["DESCRIPTION"]]
    if manifest.get("development_status", "Beta").lower() == "alpha":
        lines += [
            ".. IMPORTANT::",
            "   This is an alpha version, the data model and design can change at any time.",
            "   Only for development or testing purposes, do not use in production.",
            "",
        ]
    lines += ["**Table of contents**", "", ".. contents::", "   :local:", ""]
    for key in SECTIONS_BEFORE_CREDITS:
        if key in fragments:
            lines += [*heading(FRAGMENTS[key][0], "="), fragments[key]]
    if repo_url:
        lines += [
            *heading("Bug Tracker", "="),
            f"Bugs are tracked on `the project's issues <{repo_url.rstrip('/')}/issues>`_.",
            "Please check there whether your issue has already been reported.",
            "",
        ]
    lines += heading("Credits", "=")
    authors = [author.strip() for author in manifest.get("author", "").split(",") if author.strip()]
    if authors:
        lines += [*heading("Authors", "-"), *(f"* {author}" for author in authors), ""]
    for key in ("CONTRIBUTORS", "CREDITS"):
        if key in fragments:
            lines += [*heading(FRAGMENTS[key][0], "-"), fragments[key]]
    lines += heading("Maintainers", "-")
    maintainers = manifest.get("maintainers") or []
    if maintainers:
        lines += [
            f"Current maintainer{'s' if len(maintainers) > 1 else ''}: {', '.join(maintainers)}.",
            "",
        ]
    if options.org_name:
        lines += [f"This module is maintained by {options.org_name}.", ""]
    part_of = f"`{project} <{repo_url}>`_" if repo_url else project
    branch = f" (branch {options.branch})" if options.branch else ""
    lines += [f"It is part of the {part_of} project{branch}.", ""]
    lines += ["You are welcome to contribute.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def publish(readme_path, destination):
    """Render README.rst with docutils (any warning raises), into destination or a scratch file."""
    from docutils.core import publish_file  # keeps --help free of docutils

    publish_file(
        source_path=str(readme_path),
        destination_path=str(destination),
        writer_name="html4css1",
        settings_overrides=RST2HTML_SETTINGS,
    )


def write_if_changed(path, content):
    """Write content (bytes) to path when it differs; True when the file changed."""
    if path.is_file() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def gen_addon(addon_dir, manifest, options):
    """Generate one addon's README.rst (and index.html); the paths that changed."""
    if fragment_path(addon_dir, "DESCRIPTION") is None:
        return []
    readme_path = addon_dir / "README.rst"
    digest = source_digest(addon_dir)
    old_readme = readme_path.read_text(encoding="utf-8") if readme_path.is_file() else ""
    old_digest = DIGEST_RE.search(old_readme)
    if options.if_source_changed and old_digest and old_digest.group("digest") == digest:
        return []
    if options.keep_source_digest and old_digest:
        digest = old_digest.group("digest")
    fragments = {}
    for name, (_title, level) in FRAGMENTS.items():
        path = fragment_path(addon_dir, name)
        if path is not None:
            text = fragment_rst(path, level)
            if text:
                fragments[name] = text
    readme = render_readme(addon_dir.name, manifest, fragments, digest, options)
    changed = []
    with tempfile.TemporaryDirectory() as tmp:
        candidate = Path(tmp, "README.rst")
        candidate.write_text(readme, encoding="utf-8")
        html_path = Path(tmp, "index.html")
        publish(candidate, html_path)  # fails on any docutils warning, before anything is written
        if write_if_changed(readme_path, readme.encode("utf-8")):
            changed.append(readme_path)
        index_path = addon_dir / "static" / "description" / "index.html"
        hand_made = index_path.is_file() and GENERATED_MARK.encode() not in index_path.read_bytes()
        if options.gen_html and manifest.get("preloadable", True) and not hand_made:
            # drop docutils' version from the page, so that another docutils changes nothing
            html = re.sub(
                rb"(<meta[^>]*generator[^>]*Docutils)\s*[\d.]+", rb"\1", html_path.read_bytes()
            )
            if write_if_changed(index_path, html):
                changed.append(index_path)
    return changed


def main(argv=None):
    """Command line: generate the README of each addon given, report what changed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--org-name", default="", help="who maintains the addon (Maintainers section)"
    )
    parser.add_argument(
        "--repo-name", default="", help="project (repository) name, e.g. account_dunning_collect"
    )
    parser.add_argument("--branch", default="", help="Odoo series, e.g. 19.0")
    parser.add_argument(
        "--repo-url",
        default="",
        help="the repository's public URL: repository badge and links (none without)",
    )
    parser.add_argument(
        "--addons-dir", type=Path, help="directory whose installable addons get a README"
    )
    parser.add_argument(
        "--addon-dir", dest="addon_dirs", type=Path, action="append", default=[], help="one addon"
    )
    parser.add_argument(
        "--if-source-changed",
        "--if-fragments-changed",
        action="store_true",
        help="only when the manifest or readme/ changed since the README's source digest",
    )
    parser.add_argument(
        "--keep-source-digest",
        action="store_true",
        help="keep the digest already written in README.rst",
    )
    parser.add_argument(
        "--gen-html",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="static/description/index.html",
    )
    options = parser.parse_args(argv)
    addons = list(find_addons(options.addons_dir)) if options.addons_dir else []
    for addon_dir in options.addon_dirs:
        manifest = read_manifest(addon_dir)
        if manifest is not None:
            addons.append((addon_dir, manifest))
    changed = []
    for addon_dir, manifest in addons:
        changed += gen_addon(addon_dir, manifest, options)
    for path in changed:
        print(f"{GENERATED_MARK}: wrote {path}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
