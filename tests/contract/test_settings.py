"""The common variables every service reads, and the service defaults they leave alone."""
from deadline.config import Settings as DeadlineSettings
from intake.config import Settings as IntakeSettings
from notify.config import Settings as NotifySettings
from scoring.config import Settings as ScoringSettings

ENV = {"DATABASE_URL": "postgresql+psycopg://u@db/x", "AMQP_URL": "amqp://a", "AMQP_PREFIX": "t.",
       "LOG_LEVEL": "DEBUG", "PORT": "9000", "METRICS_PORT": "9001", "API_KEYS": "k",
       "PROMETHEUS_MULTIPROC_DIR": "/tmp/mp", "CONSUMER_BATCH_SIZE": "7",
       "MESSAGING_RETENTION_DAYS": "14"}


def test_every_service_reads_the_common_variables_alike():
    for cls in (IntakeSettings, DeadlineSettings, ScoringSettings, NotifySettings):
        s = cls.from_env(ENV)
        assert (s.database_url, s.amqp_url, s.amqp_prefix, s.log_level, s.port, s.metrics_port, s.api_keys,
                s.multiproc_dir, s.consumer_batch_size, s.messaging_retention_days) == (
            "postgresql+psycopg://u@db/x", "amqp://a", "t.", "DEBUG", 9000, 9001, "k", "/tmp/mp", 7, 14.0), cls


def test_unset_common_variables_keep_each_service_defaults():
    ports = {cls.from_env({}).port for cls in (IntakeSettings, DeadlineSettings, ScoringSettings, NotifySettings)}
    assert ports == {8001, 8002, 8003, 8004}
    assert IntakeSettings.from_env({}).database_url.endswith("/dunghan_intake")
    assert NotifySettings.from_env({"PROMETHEUS_MULTIPROC_DIR": ""}).multiproc_dir is None
