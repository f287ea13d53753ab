"""The pure deadline engine: due instants, pauses, apologies, classification and warnings."""
from dunghan.deadline.bulk import due_bulk
from dunghan.deadline.clock import compute_clock
from dunghan.deadline.counting import WorkAxis, due_instant, parse_clock_time, start_and_due
from dunghan.deadline.durations import Duration, parse_duration
from dunghan.deadline.model import Clock, ClockEvent, Pause, Rules, StepClock
from dunghan.deadline.warnings import warning_schedule

__all__ = [
    "Clock", "ClockEvent", "Duration", "Pause", "Rules", "StepClock", "WorkAxis", "compute_clock", "due_bulk",
    "due_instant", "parse_clock_time", "parse_duration", "start_and_due", "warning_schedule",
]
