"""Pure scoring rules: campaigns and phases, tallies, score, gates, ranking and reward proposals."""
from scoring.domain.campaign import (
    CRITERIA_LABELS,
    Campaign,
    CampaignError,
    Criterion,
    Gates,
    Phase,
    RewardRules,
    ScoringConfig,
    campaign_from_dict,
    campaign_to_dict,
)
from scoring.domain.rewards import (
    GIAY_KHEN_CA_NHAN,
    GIAY_KHEN_TAP_THE,
    LAO_DONG_TIEN_TIEN,
    TAP_THE_LDTT,
    Proposal,
    base_salary_on,
    propose,
    reward_amount,
)
from scoring.domain.scoring import GATE_LABELS, Standing, Tally, gates_of, rank, score_of
from scoring.domain.steps import LateOfficer, StepCount, StepFigures, step_figures

__all__ = [
    "CRITERIA_LABELS", "GATE_LABELS", "GIAY_KHEN_CA_NHAN", "GIAY_KHEN_TAP_THE", "LAO_DONG_TIEN_TIEN",
    "TAP_THE_LDTT", "Campaign", "CampaignError", "Criterion", "Gates", "LateOfficer", "Phase", "Proposal",
    "RewardRules", "ScoringConfig", "Standing", "StepCount", "StepFigures", "Tally", "base_salary_on",
    "campaign_from_dict", "campaign_to_dict", "gates_of", "propose", "rank", "reward_amount", "score_of",
    "step_figures",
]
