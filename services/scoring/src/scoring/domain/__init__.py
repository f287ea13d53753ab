"""Pure scoring rules: campaigns and phases, tallies, score, gates, ranking and reward proposals."""
from scoring.domain.campaign import (
    CRITERIA_LABELS,
    FINAL_KEY,
    Campaign,
    CampaignError,
    Criterion,
    Gates,
    Leadership,
    Phase,
    RewardRules,
    Role,
    ScoringConfig,
    campaign_from_dict,
    campaign_to_dict,
    label_of,
)
from scoring.domain.rewards import (
    ANNUAL_TITLES,
    CHIEN_SI_THI_DUA_CO_SO,
    GIAY_KHEN_CA_NHAN,
    GIAY_KHEN_TAP_THE,
    MULTIPLES,
    PHASE_TITLES,
    LAO_DONG_TIEN_TIEN,
    TAP_THE_LDTT,
    Proposal,
    base_salary_on,
    propose,
    reward_amount,
    titles_for,
)
from scoring.domain.roles import LEADERSHIP_ROLE, charge_steps, role_of
from scoring.domain.scoring import GATE_LABELS, Standing, Tally, gates_of, rank, score_of
from scoring.domain.steps import LateOfficer, StepCount, StepFigures, step_figures

__all__ = [
    "ANNUAL_TITLES", "CHIEN_SI_THI_DUA_CO_SO", "FINAL_KEY", "LEADERSHIP_ROLE", "MULTIPLES", "PHASE_TITLES",
    "Leadership", "Role", "label_of", "charge_steps", "role_of", "titles_for",
    "CRITERIA_LABELS", "GATE_LABELS", "GIAY_KHEN_CA_NHAN", "GIAY_KHEN_TAP_THE", "LAO_DONG_TIEN_TIEN",
    "TAP_THE_LDTT", "Campaign", "CampaignError", "Criterion", "Gates", "LateOfficer", "Phase", "Proposal",
    "RewardRules", "ScoringConfig", "Standing", "StepCount", "StepFigures", "Tally", "base_salary_on",
    "campaign_from_dict", "campaign_to_dict", "gates_of", "propose", "rank", "reward_amount", "score_of",
    "step_figures",
]
