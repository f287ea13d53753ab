"""What if the committed durations were cut? A pure replay of a period's real dossiers under a proposal.

``prepare`` walks each dossier's real events once with the engine (``dunghan.deadline``); ``evaluate`` then
recomputes every due instant and classification for any committed duration by working-second arithmetic on the
calendar's index (numpy), so a sweep over many candidate durations costs little more than one run. Nothing of the
real record changes: the module reads facts and returns figures."""
from deadline.whatif.model import Change, DossierFacts, Proposal
from deadline.whatif.prepare import Prepared, prepare
from deadline.whatif.report import run_whatif

__all__ = ["Change", "DossierFacts", "Prepared", "Proposal", "prepare", "run_whatif"]
