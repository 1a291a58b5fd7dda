"""What the A/B comparison says, in words and tables: verdicts, intervals and p-values as text, the
tests, sensitivity and power tables, the checks' sentences and the method. Pure: the page and the
meeting report (ui/ab_report.py) both say exactly this.
"""
from __future__ import annotations

import math

import pandas as pd

from analytics import ab_checks, ab_stats
from analytics.ab_positions import COVARIATES
from analytics.trade_metrics import percent, points


# --- tables and sentences (page and report alike) -----------------------------------------------
def interval_text(low: float, high: float, places: int = 2) -> str:
    return f"{points(low, places)} to {points(high, places)}".replace(" pp to", " to")


def p_text(p: float | None) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _p_relation(p: float) -> str:
    text = p_text(p)
    return text if text.startswith("<") else f"= {text}"


def decision(row) -> str:
    """'better than the control', 'worse than the control', 'not decided yet' (sequential),
    'no clear difference' (fixed horizon), or the note."""
    if row.note:
        return row.note
    if row.significant:  # the interval leaves out zero on one side (in sequential mode the current
        # estimate may since have wandered outside the intersected interval; the interval decides)
        return "better than the control" if row.low > 0 else "worse than the control"
    return "not decided yet" if _is_sequential(row) else "no clear difference"


def short_decision(row) -> str:
    """decision() for a table cell: a note becomes the few words that start it."""
    if not row.note:
        return decision(row)
    return "no verdict: " + row.note.split(":")[0].lower()


def _is_sequential(row) -> bool:
    # only sequential rows carry how many more positions would decide them (inf when none would)
    return row.more_version is not None and not (isinstance(row.more_version, float) and math.isnan(row.more_version))


def decided_text(row) -> str:
    """When a sequential verdict was reached: a weekly look, or this one."""
    at = row.decided_at
    if at is None or pd.isna(at):
        return "at this look"
    return f"at the weekly look of {pd.Timestamp(at):%Y-%m-%d}"


def _more_text(row, control: str) -> str:
    if not math.isfinite(row.more_version):
        return "the two are level, so no number of positions at this difference would decide it"
    return (f"at this difference about {_count(row.more_version)} more closed positions of {row.version} and "
            f"{_count(row.more_control)} of {control} would decide it")


def verdict_sentence(row, comparison: ab_stats.Comparison) -> str:
    if row.note:
        return f"{row.metric}: {row.note}"
    places = 2 if row.metric == ab_stats.RETURN else 1
    head = (f"{row.metric}: {points(row.estimate, places)}, {comparison.level:.1%} interval "
            f"{interval_text(row.low, row.high, places)}")
    if comparison.sequential:
        if row.significant:
            return (f"{head}: {decision(row)}, decided {decided_text(row)} (always-valid p {_p_relation(row.p_value)}, "
                    f"at most {p_text(comparison.test_alpha)} needed); stopping then was valid.")
        return f"{head}: not decided yet — {_more_text(row, comparison.control)}."
    family = (f" (×{comparison.tests} for {comparison.tests} comparisons: {p_text(row.p_adjusted)})"
              if comparison.tests > 1 else "")
    return f"{head}, p {_p_relation(row.p_value)}{family}: {decision(row)}."


def inference_table(comparison: ab_stats.Comparison) -> pd.DataFrame:
    """One row per challenger x metric, as text."""
    rows = []
    p_label = "Always-valid p (lowest so far)" if comparison.sequential else "p-value"
    for r in comparison.rows.itertuples():
        places = 2 if r.metric == ab_stats.RETURN else 1
        row = {
            "Version": r.version, "Metric": r.metric,
            "Control": percent(r.control_value, places, signed=r.metric == ab_stats.RETURN),
            "Version value": percent(r.version_value, places, signed=r.metric == ab_stats.RETURN),
            "Difference": points(r.estimate, places) if not r.note else "—",
            f"Interval ({comparison.level:.1%})": interval_text(r.low, r.high, places) if not r.note else "—",
            p_label: p_text(r.p_value), f"Adjusted p (×{max(comparison.tests, 1)})": p_text(r.p_adjusted)}
        if comparison.sequential:
            row["Decided"] = (decided_text(r).removeprefix("at the weekly look of ") if r.significant
                              else "—" if r.note else "not yet")
        row["Chance to beat control"] = (f"{r.chance_to_beat:.0%}" if r.metric == ab_stats.RETURN and not r.note
                                         else "")
        row["Verdict"] = short_decision(r)
        rows.append(row)
    return pd.DataFrame(rows)


def sensitivity_table(comparison: ab_stats.Comparison, checks: list[ab_stats.Sensitivity],
                      cutoffs: tuple[float, float] | None) -> pd.DataFrame:
    """Per challenger whose mean return was tested: the difference as measured (the verdict's),
    winsorized, and adjusted for what was known at the opening buy, each with its interval at the
    verdict's level; and how much of the returns' variance the adjustment removed."""
    measured = comparison.rows[comparison.rows.metric == ab_stats.RETURN]
    by_version = {c.version: c for c in checks}
    where = "this look" if comparison.sequential else "one look"
    winsor_label = (f"Winsorized at the 1st/99th percentile ({percent(cutoffs[0], 0, True)} to "
                    f"{percent(cutoffs[1], 0, True)})" if cutoffs else "Winsorized")
    adjusted_label = f"Adjusted for {' and '.join(COVARIATES)} (CUPED, {where})"

    def cell(interval) -> str:
        if interval is None:
            return "—"
        return f"{points(float(interval.estimate), 2)} ({interval_text(float(interval.low), float(interval.high))})"

    rows = []
    for r in measured.itertuples():
        check = by_version.get(r.version)
        if check is None or (check.winsorized is None and check.adjusted is None):
            continue
        reduction = check.cuped.variance_reduction if check.cuped is not None else math.nan
        rows.append({"Version": r.version,
                     "As measured": (f"{points(r.estimate, 2)} ({interval_text(r.low, r.high)})" if not r.note
                                     else short_decision(r)),
                     winsor_label: cell(check.winsorized), adjusted_label: cell(check.adjusted),
                     "Variance removed by the adjustment": "—" if math.isnan(reduction) else f"{reduction:.1%}"})
    return pd.DataFrame(rows)


def imbalance_sentence(check: ab_stats.Sensitivity) -> str | None:
    """Where the versions' positions differ in what the adjustment holds fixed (beyond 3 standard
    errors), the adjusted difference answers another question than the plain one: say so."""
    if check.cuped is None:
        return None
    apart = [name for name, z in zip(COVARIATES, check.cuped.imbalance) if abs(z) > 3]
    if not apart:
        return None
    return (f"{check.version}'s positions differ from the control's in {' and '.join(apart)} (the entry rules choose "
            "different entries), so the adjusted difference compares them at equal entries: the part of the difference "
            "those choices explain is taken out of it.")


def sample_ratio_sentence(check: ab_checks.SampleRatio) -> str:
    if not check.applies:
        return f"Sample-ratio check: {check.reason}." if check.reason else ""
    observed = " / ".join(f"{n:,}" for n in check.observed)
    total = sum(check.observed)
    shares = " / ".join(f"{n / total:.1%}" for n in check.observed)
    declared = " / ".join(f"{s:.1%}" for s in check.expected_shares)
    test = "always-valid multinomial test, lowest p so far" if check.sequential else "chi-square"
    said = (f"{', '.join(check.versions)} closed positions on {observed} markets ({shares}); their configs declare "
            f"{declared} ({test}: p {_p_relation(check.p_value)}).")
    if check.mismatch:
        return ("Sample ratio mismatch: " + said + f" Below {ab_checks.SRM_THRESHOLD} this is not chance: the markets "
                "were not split as declared, so the versions may have traded different kinds of markets. Find out why "
                "before trusting the verdicts below.")
    return f"Sample-ratio check: {said} No mismatch (flagged below p = {ab_checks.SRM_THRESHOLD})."


def confounding_sentence(mix: ab_checks.ModelMix) -> str:
    def listed(models: dict[str, int]) -> str:
        return ", ".join(f"{label} ({n:,})" for label, n in models.items())

    each = "; ".join(f"{version} on {listed(models)}" for version, models in mix.models.items())
    shared = (f" Only {', '.join(mix.shared_labels)} {'was' if len(mix.shared_labels) == 1 else 'were'} used by every "
              "version." if mix.shared_labels else " No model version was used by every version, so the comparison "
                                                     "cannot be restricted to shared ones.")
    return (f"Confounded: these strategy versions opened their positions on different model versions ({each}), so "
            f"the difference mixes the strategy change with the model change.{shared}")


def influence_sentence(influence: ab_checks.Influence, estimate: float) -> str:
    count = influence.positions
    removed = ", ".join(f"{version}'s {percent(value, 0, True)}" for version, value in influence.removed[:3])
    more = f" and {count - 3} more" if count > 3 else ""
    who = "one position" if count == 1 else f"{count} positions"
    alone = ("" if count == 1 else f"; the most influential one alone is {influence.top_share:.0%} of it")
    return (f"A few positions carry this difference: without {who} ({removed}{more}) the difference of "
            f"{points(estimate, 2)} becomes {points(influence.without, 2)}{alone}. The winsorized result below "
            "shows the difference without the extremes.")


def window_sentence(start, end, shared: ab_checks.SharedPeriod) -> str:
    """What the date range is against the period every chosen version was trading."""
    if shared.problem:
        return (f"Positions closed {start:%Y-%m-%d} to {end:%Y-%m-%d}. There is no period in which every chosen "
                f"version was trading ({shared.problem}), so any comparison mixes a change of period with the change "
                "of version.")
    if (start, end) == (shared.start, shared.end):
        return (f"Positions closed {start:%Y-%m-%d} to {end:%Y-%m-%d}: the period in which every chosen version was "
                f"trading ({shared.began} first traded on {shared.start:%Y-%m-%d}, {shared.stopped} last traded on "
                f"{shared.end:%Y-%m-%d}).")
    return (f"Positions closed {start:%Y-%m-%d} to {end:%Y-%m-%d}. Every chosen version was trading from "
            f"{shared.start:%Y-%m-%d} to {shared.end:%Y-%m-%d}; outside that period some versions' positions come "
            "from days the others were not trading.")


def _count(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{math.ceil(value):,}"


def power_table(comparison: ab_stats.Comparison, groups: dict[str, ab_stats.Group]) -> pd.DataFrame:
    """Per challenger with a power analysis: positions now, positions needed, power now."""
    rows = []
    for version, power in comparison.power.items():
        if power is None:
            continue
        rows.append({
            "Version": version,
            "Positions (version / control)": f"{groups[version].n:,} / {groups[comparison.control].n:,}",
            "Spread (sd of returns)": percent(power.sd, 1),
            "Needed each (sequential)": _count(power.needed_sequential),
            "Needed each (fixed)": _count(power.needed_fixed),
            "Power now (sequential)": f"{power.current_sequential:.0%}",
            "Power now (fixed)": f"{power.current_fixed:.0%}"})
    return pd.DataFrame(rows)


def method_sentence(comparison: ab_stats.Comparison) -> str:
    if comparison.sequential:
        how = (f"Sequential analysis (mixture SPRT, τ = {comparison.min_effect * 100:g} points): its p-value is "
               "carried as its lowest value over the weekly looks and its interval is the intersection of the "
               "looks' confidence sequences, so they stay valid however often the test is looked at and a "
               "decision, once reached, stands.")
    else:
        how = ("Fixed-horizon analysis (Welch's t for the mean return, Newcombe's interval and its p-value for "
               "the win rate): valid for one look at a sample size fixed in advance; looking every week "
               "inflates false positives.")
    if comparison.tests > 1:
        family = (f" {comparison.tests} comparisons (challengers × metrics), Bonferroni: each interval is at "
                  f"{comparison.level:.1%} and each p-value is held to {p_text(comparison.test_alpha)} "
                  f"(adjusted p = {comparison.tests} × p), so together they hold at {1 - comparison.alpha:.0%}. "
                  "A verdict is its interval: better or worse exactly when the interval leaves out zero.")
    elif comparison.tests == 1:
        family = (f" One comparison, at {1 - comparison.alpha:.0%}: a verdict is its interval, better or worse "
                  "exactly when it leaves out zero.")
    else:
        family = " No comparison has enough data yet."
    return (how + family + f" Fewer than {ab_stats.MIN_POSITIONS} closed positions in a version or the control, "
            f"or returns too skewed for the normal approximation (skewness of the difference above "
            f"{ab_stats.SKEW_LIMIT:.3f}): no verdict, and the page says why.")


def method_notes(comparison: ab_stats.Comparison) -> list[str]:
    return [
        "Unit: the closed position (current row closed or settled), attributed to the strategy and model "
        "version of its opening buy. Return = realized P&L (fees included) / what the buys cost.",
        "Win: realized P&L > 0. A losing streak is a run of consecutive positions (in order of closing) "
        "with realized P&L < 0. Max drawdown: the largest fall of cumulative realized P&L from its peak "
        "(starting at 0).",
        "Profit factor = gross profit / gross loss; payoff ratio = average win / average loss.",
        "Sharpe and Sortino: mean daily realized P&L over its standard deviation (Sortino: over its downside "
        "deviation below 0), times √365, over every calendar day from the version's first to its last close "
        "in the date range (days without a close count as 0).",
        "CLV: the held contract's last quoted price while its market was open (the 'no' price for a 'no' "
        "position) minus the entry price; only positions whose market has closed count.",
        method_sentence(comparison),
        "Sequential mode: mSPRT of Johari, Pekelis & Walsh (2017) on the difference of means with Welch's "
        "variance (win rate: the larger of the pooled and unpooled variance); always-valid p = min(1, 1/likelihood "
        "ratio), carried as its running minimum; the interval is the confidence sequence, intersected over the looks.",
        f"Skewed returns: a verdict needs the difference's skewness at most {ab_stats.SKEW_LIMIT:.3f} (Kohavi et al. "
        "2014: n > 355·skew² for one mean), the larger of its plug-in value and its value with both versions pooled.",
        "Sensitivity: the same test on returns winsorized at the pooled 1st and 99th percentiles, and on returns "
        "adjusted for the edge and entry price at the opening buy (CUPED, fitted on both versions together). "
        "Neither replaces the verdict.",
        "Chance to beat control and expected loss: normal approximation of the difference in mean return "
        "(flat prior), closed form, so the same link always gives the same numbers. Over time it is a "
        "description, not a stopping rule.",
        f"Power: positions per version to detect the minimum effect with {ab_stats.TARGET_POWER:.0%} power at "
        "the interval's level, from the observed spread (statsmodels TTestIndPower for fixed horizon; the "
        "mSPRT's rejection region for sequential).",
        "Looks: the charts recompute everything at the end of every completed week with closes, from running "
        "totals; the current week is counted only in the verdict.",
        "Sample ratio: where every chosen version's config declares a traffic_split, the markets each version "
        "closed a position on are checked against it (chi-square, or the always-valid multinomial test of "
        "Lindon & Malek 2022 in sequential mode), flagged below p = 0.001.",
        "Stored ROI (strategies.paper_roi / live_roi) is checked against sum(realized P&L) / sum(cost) over "
        "all closed positions of the version, whatever the page's dates.",
    ]


ROI_COLUMNS = {"version": "Version", "mode": "Mode", "stored": "Stored ROI", "recomputed": "Recomputed ROI",
               "positions": "Closed positions", "status": "Status"}


def segments_sentence(segments: ab_stats.SegmentComparison, analysis: str) -> str:
    """The definition of the verdict by segment and how its multiple comparisons are corrected."""
    what = ("The verdict's test on the mean return per position, run again on the positions of each sport, platform, "
            "entry-price bucket (the position's average entry price, in steps of 0.20) and time to expiry at entry "
            "(from opening to the event's scheduled end, else to the market's close), "
            f"{analysis}{' at the current totals' if segments.sequential else ''}.")
    if segments.tests > 1:
        family = (f" Corrected for multiple comparisons: the {segments.tests} segment tests are one family, "
                  f"separate from the verdict above (Bonferroni: each interval at {segments.level:.2%}, each p-value "
                  f"held to {p_text(segments.alpha / segments.tests)}), so one segment winning among many is not "
                  "chance read as a finding; better or worse exactly when the interval leaves out zero.")
    elif segments.tests == 1:
        family = (f" One segment test, at {segments.level:.0%}: better or worse exactly when its interval leaves "
                  "out zero.")
    else:
        family = " No segment has enough data for a test yet."
    return (what + family + f" A segment needs {ab_stats.MIN_POSITIONS} closed positions of each version and returns "
            "not too skewed, as the verdict does; otherwise it says why it has no verdict.")
