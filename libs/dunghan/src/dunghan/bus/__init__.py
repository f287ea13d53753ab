"""RabbitMQ plumbing: topology, publisher with confirms, consumer mapping handler outcomes to broker actions."""
