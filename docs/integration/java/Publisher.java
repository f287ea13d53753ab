// Example publisher for departmental systems in Java (copy and adapt), with the RabbitMQ Java client
// (com.rabbitmq:amqp-client 5.x). Sends one lifecycle fact to Đúng hạn intake and waits for its replies.
//
//   javac -cp amqp-client.jar -d build Publisher.java
//   java -cp build:amqp-client.jar:slf4j-api.jar Publisher ../examples/dossier.accepted.json \
//        --url amqp://motcua-sct:SECRET@broker:5672/%2F --user motcua-sct
//
// The AMQP user_id property must be the user you connect with (RabbitMQ checks it); intake maps it to your
// agency. The routing key is <agency>.<fact>. A "buffered" reply may be followed by a "rejected" one when the
// waiting window ends (600 s by default), so the reply queue is kept until then.
// Exit status: 0 accepted; 1 rejected (first or second reply); 2 no reply; 3 still buffered.
// A real client parses JSON with a library (Jackson, Gson); this example keeps to the JDK and the AMQP client.

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class Publisher {
    private static final String EXCHANGE = "dunghan.inbound";

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Publisher FILE [--url URL] [--user USER] [--prefix P] [--timeout S] "
                    + "[--wait-buffered S]");
            System.exit(64);
        }
        String file = args[0];
        String url = option(args, "--url", "amqp://guest:guest@127.0.0.1:5672/%2F");
        String user = option(args, "--user", "guest");
        String prefix = option(args, "--prefix", "");
        long timeout = Long.parseLong(option(args, "--timeout", "10"));
        long waitBuffered = Long.parseLong(option(args, "--wait-buffered", "660"));

        String json = new String(Files.readAllBytes(Paths.get(file)), StandardCharsets.UTF_8);
        String agency = field(json, "agency");
        String fact = field(json, "fact");
        String eventId = field(json, "event_id");

        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(url);
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            // RabbitMQ's direct reply-to (consumed no-ack on this channel before publishing): lives as long as the
            // channel, which stays open for a second reply. Intake answers no queue but this or the sender's own.
            String replyQueue = "amq.rabbitmq.reply-to";
            String correlationId = UUID.randomUUID().toString();
            BlockingQueue<String> replies = new LinkedBlockingQueue<>();
            channel.basicConsume(replyQueue, true, (tag, delivery) -> {
                if (correlationId.equals(delivery.getProperties().getCorrelationId())) {
                    replies.add(new String(delivery.getBody(), StandardCharsets.UTF_8));
                }
            }, tag -> { });
            channel.addReturnListener(r -> System.err.println("không định tuyến được: " + r.getReplyText()));

            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .contentType("application/json").deliveryMode(2).userId(user).messageId(eventId)
                    .correlationId(correlationId).replyTo(replyQueue).build();
            channel.basicPublish(prefix + EXCHANGE, agency + "." + fact, true, properties,
                    json.getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);  // the broker has the message; resending is safe (event_id)

            String status = null;
            long wait = timeout;
            while (true) {
                String reply = replies.poll(wait, TimeUnit.SECONDS);
                if (reply == null) {
                    break;
                }
                System.out.println(reply);
                status = field(reply, "status");
                if (!"buffered".equals(status)) {
                    break;
                }
                wait = waitBuffered;
            }
            System.exit(exitCode(status, eventId));
        }
    }

    private static int exitCode(String status, String eventId) {
        if (status == null) {
            System.err.println("không nhận được phản hồi");
            return 2;
        }
        switch (status) {
            case "accepted":
                return 0;
            case "buffered":
                System.err.println("chưa có kết quả cuối cùng: tra cứu GET /api/v1/facts/" + eventId + " của intake");
                return 3;
            default:
                return 1;
        }
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 1; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    /** The first top-level string value of {@code name}: enough for the envelope fields of a fact or a reply. */
    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }
}
