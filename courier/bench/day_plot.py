"""Charts of a simulated day (``courier bench day --plot DIR``), each policy side by
side: jobs waiting and couriers riding through the day, the lateness of late
deliveries, and the hours each courier worked. Drawn with matplotlib (the ``bench``
extra) from the figures' ``series``, so a saved ``--json`` can be drawn again.
"""

from __future__ import annotations

from pathlib import Path

from courier.bench.day_plan import OPENING_HOUR

INSTALL = ("--plot draws with matplotlib, which is not installed: "
           "pip install 'courier[bench]' (or pip install matplotlib)")
COLOURS = {"dispatch": "tab:blue", "greedy": "tab:orange"}


def pyplot():
    """matplotlib's pyplot on a backend that needs no display; ImportError says how
    to install it."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(INSTALL) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _policies(out: dict) -> list[tuple[str, dict]]:
    return [(p, out[p]["series"]) for p in ("dispatch", "greedy") if p in out]


def _course(plt, out: dict, path: Path) -> None:
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True)
    for name, s in _policies(out):
        hours = [OPENING_HOUR + t for t in s["t_h"]]
        top.plot(hours, s["waiting_jobs"], label=name, color=COLOURS[name])
        bottom.plot(hours, s["busy_couriers"], label=f"{name}: riding",
                    color=COLOURS[name])
    if out.get("dispatch"):  # the same shifts under both policies
        s = out["dispatch"]["series"]
        bottom.plot([OPENING_HOUR + t for t in s["t_h"]], s["on_shift"], "k:",
                    label="on shift")
    top.set_ylabel("jobs waiting for a courier")
    bottom.set_ylabel("couriers")
    bottom.set_xlabel("hour of the day")
    top.legend()
    bottom.legend()
    top.set_title("Open jobs and busy couriers through the day")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _histograms(plt, out: dict, key: str, path: Path, xlabel: str, title: str,
                only_positive: bool = False) -> None:
    fig, ax = plt.subplots(figsize=(9, 4.5))
    data = [(name, [x for x in s[key] if x > 0 or not only_positive])
            for name, s in _policies(out)]
    top = max((max(xs, default=0) for _, xs in data), default=0) or 1
    bins = [top * i / 24 for i in range(25)]
    ax.hist([xs for _, xs in data], bins=bins, label=[f"{n} ({len(xs)})" for n, xs in data],
            color=[COLOURS[n] for n, _ in data])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot(out: dict, folder: str | Path) -> list[Path]:
    """Write the charts of ``out`` (what :func:`courier.bench.day.run_day` returns) to
    ``folder``; returns the files written."""
    plt = pyplot()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "day_course.png", folder / "day_lateness.png", folder / "day_hours.png"]
    _course(plt, out, files[0])
    _histograms(plt, out, "lateness_min", files[1], "minutes late at the door",
                "Late deliveries (on-time ones left out)", only_positive=True)
    _histograms(plt, out, "hours_per_courier", files[2], "hours on shift",
                "Hours per courier")
    return files
