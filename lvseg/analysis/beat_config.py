"""The beat finder's thresholds (BeatConfig) and the quality flags it can raise (lvseg.analysis.beats)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

NO_FRAMES, ALL_FAILED, FAILED_FRAMES, LONG_GAP = "no_frames", "all_failed", "failed_frames", "long_gap"
FLAT, NO_BEAT, SINGLE_BEAT, ERRATIC = "flat", "no_beat", "single_beat", "erratic"
PARTIAL_BEATS = "partial_beats"


@dataclass(frozen=True)
class BeatConfig:
    """Thresholds, in seconds where they are times (frame counts follow from the fps). Those marked
    'tuned' were chosen on the tuning seed of benchmarks/beats.py (--tuning), never on the report seed."""

    # Smoothing window: a third of a typical 0.3 s systole and no longer than the shortest one
    # (min_systole_s), so it removes frame-to-frame jitter without shifting the ED peak or ES trough.
    smooth_s: float = 0.1
    # Cubic: in the interior the same filter as quadratic (for an odd window they coincide), which follows
    # the rounded ED peak and ES trough; at the edges the cubic fit follows a systole's start far better.
    # Capped at the window less 2: under 35 fps the window is 3 frames, where a quadratic would pass through
    # the points themselves (no smoothing at all) and a line averages them.
    polyorder: int = 3
    # A swing under 5 % of EDV is not a beat: below the lowest EF in EchoNet (6.9 %), above mask jitter.
    min_swing: float = 0.05
    # A turning point needs a swing of half the stroke scale (tuned): a beat's stroke is 0.8-1 of the
    # scale even in AF, while notches, an atrial kick and smoothed jitter stay well under half of it.
    major_fraction: float = 0.5
    # The cycle window: two cycles at the slowest rate (40 bpm), enough for its stroke scale to span a
    # cycle and for a compensatory pause to be searched; the first settle_s of a run (one slowest cycle)
    # is held before any turning point is decided.
    window_s: float = 3.0
    settle_s: float = 1.5
    # Bridged gaps: 0.1 s, a third of a typical 0.3 s systole: bridging it across an ED or ES only cuts
    # the peak's curvature (about 1 EF point for 4 frames at 50 fps, see the tests); longer gaps split.
    max_gap_s: float = 0.1
    # ED -> ES lasts about a third of the cycle: >= 0.1 s even at 180 bpm (cycle 0.33 s), <= 0.75 s
    # (half the 1.5 s cycle of 40 bpm, the slowest rate considered).
    min_systole_s: float = 0.1
    max_systole_s: float = 0.75
    # EDs closer than 0.25 s (240 bpm) are not two beats, nor EDs closer than 0.4 of the period (tuned: an
    # AF short RR or an ectopic beat comes at >= 0.5 of it).
    min_period_s: float = 0.25
    min_cycle_fraction: float = 0.4
    # An ED-ED interval of >= 1.5 periods is a pause that may hide a premature beat: one whose fall is at
    # least 0.2 of the stroke scale (tuned: an extrasystole ejects 15-50 % of a normal stroke, while segmentation
    # noise leaves dips of up to about 0.25 of it in a long diastasis; 0.15 found AF pauses' dips too).
    pause_fraction: float = 1.5
    ectopic_fraction: float = 0.2
    # A clip that ends end_fraction of a period after its last ED with no ED since may have cut a compensatory
    # pause short: a premature beat near the clip's end is searched for there as in a pause, its fall also
    # end_noise times the curve's frame-to-frame noise (no pause vouches for it, and at low EF a dip of
    # ectopic_fraction of the stroke is within the noise). Both tuned on the finder's own curves of the tuning
    # seed (200 clips a kind): end_fraction 1.5 (off) / 1.3 / 1.2 / 1.1 made clips with a premature beat near
    # their end 149 / 165 / 171 / 176 exact and every other kind the same within a clip, but low EF gained a false
    # beat, which end_noise 3 (2 / 3 / 4 tried) removed; on the demo mask model's curves of physiology seed 1 the
    # ectopic preset went 17 -> 18 exact of 20. 1.2 leaves a normal next ED, due at about one period, the time
    # its fall takes to confirm it, so the diastasis before it is not searched.
    end_fraction: float = 1.2
    end_noise: float = 3.0
    # A run whose first ED comes head_fraction of a cycle (its first ED-ED interval) after its start may have
    # begun with a premature beat: a clip shows an ED within every cycle (tuned: 1.1-1.5 alike on model curves
    # of physiology seed 1, 1.1-1.2 best on the finder's own curves).
    head_fraction: float = 1.2
    # A small-stroke beat whose neighbours' EDs are under split_fraction of the typical ED-ED interval apart
    # split one cycle in two: a notch in diastasis, not a beat (tuned: 1.25-1.4 alike on model curves of
    # physiology seed 1, where it removed two such beats; no effect on the finder's own curves up to 1.6).
    split_fraction: float = 1.25
    # A run with no second ED-ED interval to judge its first (or only) one by takes its cycle as systole_cycle
    # ED-ES durations (tuned; the ratio is 2.2-2.9 at 55-95 bpm, 3.7 at 40): a two-beat clip with a pause.
    systole_cycle: float = 2.75
    # A beat's ED (ES) volume: the mean of the frames within level_fraction of its systole of its frame whose
    # smoothed volume is within level_noise times the curve's noise of its own (both tuned). The extremum frame
    # is the one jitter pushed furthest, so one frame's volume makes EDs too large and ESs too small (EF too
    # high, most at low EF); on the isovolumic plateaus its neighbours hold the same volume, while a sharp
    # extremum of a noise-free curve keeps its own frame.
    level_fraction: float = 0.15
    level_noise: float = 2.0
    # A stroke under 0.6 of the stroke scale makes a beat poor (tuned: normal and AF beats are >= 0.75).
    small_fraction: float = 0.6
    # An ED (ES) at a run's edge, within edge_s of its first (last) frame, is whole when it reaches the
    # window's P95 (P5) level less edge_fraction of the stroke scale (tuned: within the beat-to-beat spread of
    # ED and ES levels); a clip starting (ending) inside a systole falls short of it. edge_s (tuned; 0.02-0.06 s
    # scored alike): jitter can put the maximum of a clip that starts in a systole at its second frame.
    edge_fraction: float = 0.05
    edge_s: float = 0.04
    # A run's last systole whose ED lies tail_systoles typical ED-ES durations (the run's latest few) before its
    # last frame had the time to end, so it is whole when that frame is within tail_fraction of the stroke scale of
    # the ES level, not only edge_fraction: the flat isovolumic relaxation after an ES puts the plateau's lowest,
    # jittered frame at the clip's end (lvseg.analysis.edges). Tuned on the tuning seed: on the demo models' curves
    # of physiology seed 1, one duration made 5 of the 22 clip-model pairs not counted exactly so and broke none
    # (0.9 broke one; those 5 ended 0.05-0.09 of the stroke above the level); on the finder's own curves
    # (benchmarks/beats.py --tuning --videos 200) every kind stayed within two clips of 200. The bound came after a
    # report-seed clip that ended mid-ejection, its ED early on a flat diastasis, was counted (0.33 of the stroke
    # above the level); tail_fraction 0.1 / 0.15 / 0.2 / 0.3 / unbounded scored the same on the tuning seed's model
    # curves, and 86 / 85 / 85 / 85 / 85 % exact on its finder curves of clips with a premature beat at the end.
    tail_systoles: float = 1.0
    tail_fraction: float = 0.1
    # Good beats' EFs disagree more than a rhythm's, or than the curve's own jitter explains: their standard
    # deviation over erratic_ef_sd points or over jitter_spread times the jitter (mean |volume - smoothed| /
    # volume in %), since each EF takes two jittered volumes (at 5 % jitter a low-EF clip's beats honestly spread
    # by 15-25 points). A standard deviation, not the range: the range of n beats grows with n, so long clips were
    # flagged for the same per-beat noise (model curves of physiology seed 1: median range 5.2 points over clips
    # of >= 3 good beats, 7.3 over >= 8; standard deviation 2.1 and 2.3). Both tuned; the range rule's 15 points
    # and 8 x jitter correspond over three beats (expected range 1.69 sd) to 8.9 and 4.7.
    erratic_ef_sd: float = 8.9
    jitter_spread: float = 4.7
    # Impossible timing makes a curve erratic once it recurs (tuned): one rejected glitch flagged 13 % of
    # genuine low-EF tuning curves, two 5 %; on curves with 3 % of frames starting a failed run of 2-4 frames
    # (benchmarks/beats.py --bad-runs) the unflagged ones kept the same EF error either way.
    erratic_rejects: int = 2
    max_failed_fraction: float = 0.1  # more failed frames than this: the video's masks are not trusted
    ef_beats: int = 16                # a stream's running EF: over this many most recent beats


def edge_frames(fps: float, config: BeatConfig = BeatConfig()) -> int:
    """The edge zone in frames (edge_s): an extremum this close to a run's first (last) frame cannot show
    the rise before (after) it. The finder's rule, and the one its benchmarks score edge beats by."""
    return int(round(config.edge_s * fps))


class Tally(NamedTuple):
    """What a BeatTracker counted over a video: what its quality flags are decided from."""

    frames: int
    failed: int
    long_gaps: int
    swings: int
    beats: int
    partial_ef: bool     # an EF from the extremes of different beats exists (no whole systole)
    rejected: int
    good_sd: float       # standard deviation of the good beats' EFs (0 with fewer than two)
    jitter: float        # mean |volume - smoothed| / volume, %


def quality_flags(c: BeatConfig, t: Tally) -> tuple[str, ...]:
    """no_frames, all_failed, failed_frames (over max_failed_fraction), long_gap (not bridged), flat (no swing at
    all), no_beat (EF None), partial_beats (no whole systole: EF from an ED and an ES of different beats),
    single_beat, erratic (impossible timing rejected erratic_rejects times, or the good beats' EFs with a standard
    deviation over erratic_ef_sd points, or over jitter_spread times the curve's jitter)."""
    good = t.frames - t.failed
    flags = []
    if t.frames == 0:
        flags.append(NO_FRAMES)
    elif good == 0:
        flags.append(ALL_FAILED)
    elif t.failed > c.max_failed_fraction * t.frames:
        flags.append(FAILED_FRAMES)
    if t.long_gaps:
        flags.append(LONG_GAP)
    if good and not t.swings:
        flags.append(FLAT)
    if t.beats == 0:
        flags.append(PARTIAL_BEATS if t.partial_ef else NO_BEAT)
    elif t.beats == 1:
        flags.append(SINGLE_BEAT)
    if t.rejected >= c.erratic_rejects or t.good_sd > max(c.erratic_ef_sd, c.jitter_spread * t.jitter):
        flags.append(ERRATIC)
    return tuple(flags)
