"""Turn bench.sh's measurements into the Markdown table of bench/results/<date>.md."""

import json
import platform
import sys


def main(path, run_date, commit):
    rows = {}
    with open(path) as results:
        for line in results:
            label, data = line.rstrip("\n").split("\t", 1)
            rows[label] = json.loads(data)
    sizes = sorted({int(label.rsplit("-", 1)[1]) for label in rows})
    out = [
        f"# Dunning run benchmark ({run_date})",
        "",
        f"Commit {commit}; {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}. Run date {run_date}; figures per run, in one "
        "process each (wall time and SQL queries of the run itself; peak = the process's "
        "maximum resident memory, registry included). Our runs with the default policy "
        "(3 levels, 2.50 fee on the 2nd dunning, no interest) and payment allocation off, "
        "like OCA's; OCA with a comparable 3-level policy (7/21/35 days).",
        "",
        "| invoices | open items | run | seconds | SQL queries | peak MB | items examined "
        "| escalated | letters | lines |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ratios = []
    for size in sizes:
        data = rows.get(f"data-{size}", {})
        for key, name in (
            ("ours-first", "ours, first run"),
            ("ours-second", "ours, same day again"),
            ("ours-week", "ours, one week later"),
            ("oca-first", "OCA credit control, first run"),
            ("oca-second", "OCA, same day again"),
        ):
            row = rows.get(f"{key}-{size}")
            if not row:
                continue
            out.append(
                f"| {data.get('invoices', size):,} | {data.get('open_items', ''):,} | {name} "
                f"| {row['seconds']:.2f} | {row['queries']:,} | {row['peak_mb']:,} "
                f"| {row.get('items', '')} | {row.get('escalated', '')} "
                f"| {row.get('letters', '')} | {row['lines']:,} |"
            )
        ours, oca = rows.get(f"ours-first-{size}"), rows.get(f"oca-first-{size}")
        if ours and oca:
            ratio = oca["seconds"] / ours["seconds"]
            ratios.append(
                f"At {size:,} invoices OCA's first run takes {ratio:.1f}x "
                f"as long as ours ({oca['queries'] / max(ours['queries'], 1):.0f}x the queries)."
            )
    out.append("")
    out.extend(ratios)
    checked = [row for label, row in rows.items() if "checked_letters" in row]
    if checked:
        out.append("")
        out.append(
            "Correctness: the letters of "
            + ", ".join(
                f"{row['checked_customers']} sample customers ({row['checked_letters']} letters)"
                for row in checked
            )
            + " matched the engine's decisions computed beforehand from ORM reads."
        )
    for label, row in rows.items():
        if not label.startswith("delivery-"):
            continue
        out += [
            "",
            f"Delivery step (letters of the {int(label[9:]):,}-invoice runs; wkhtmltopdf "
            f"{row.get('wkhtmltopdf', '')}):",
            "",
            "| letter PDFs | wkhtmltopdf calls | seconds | letters per minute |",
            "|---|---:|---:|---:|",
            f"| {row['letters']:,} in batches of {row['batch_size']} ({row['pages']:,} pages) "
            f"| {row['batched_calls']} | {row['batched_seconds']} "
            f"| {row['letters'] / row['batched_seconds'] * 60:,.0f} |",
            f"| {row['single_letters']:,} of them one by one | {row['single_calls']} "
            f"| {row['single_seconds']} "
            f"| {row['single_letters'] / row['single_seconds'] * 60:,.0f} |",
            f"| {row['full_letters']} e-mail letters delivered completely (letter PDF, "
            f"{row['invoice_pdfs']} invoice PDFs with Factur-X made, {row['mails']} e-mails "
            f"queued) | | {row['full_seconds']} | {row['full_per_minute']} |",
        ]
    builds = {label: row for label, row in rows.items() if label.startswith("build-")}
    if builds:
        out.append("")
        out.append(
            "Dataset build (once, then kept as a template database): "
            + ", ".join(
                f"{label[6:]} invoices in {row['seconds']} s" for label, row in builds.items()
            )
            + "."
        )
    print("\n".join(out))


if __name__ == "__main__":
    main(*sys.argv[1:4])
