package dev.kairos.feedback.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kairos.feedback.kpi.Params;
import dev.kairos.feedback.store.FeedbackStore;
import dev.kairos.service.api.ApiException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code GET /v1/replay-log?from=&to=&limit=} (admin key or marketer account): the recorded
 * decisions of a window with the facts they were made from and what each placement showed and
 * got, as NDJSON (one JSON object per line, oldest first), for {@code ./kairos rules replay}.
 * Streams from the database as it writes, so memory stays flat for millions of decisions.
 */
@Tag(name = "Replay", description = "Recorded decisions with their facts, for replaying candidate packs (docs/api.md#get-v1replay-log)")
@Controller("/v1/replay-log")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ReplayLogController {
    /** Media type of the answer. */
    public static final String NDJSON = "application/x-ndjson";
    /** Most decisions one request may export. */
    public static final long MAX_LIMIT = 5_000_000;
    private static final JsonFactory JSON = new JsonFactory();
    private static final int MAX_EXPORTS = 2;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReplayLogController.class);
    private final java.util.concurrent.Semaphore exports = new java.util.concurrent.Semaphore(MAX_EXPORTS);

    private final FeedbackStore store;

    public ReplayLogController(FeedbackStore store) {
        this.store = store;
    }

    @Operation(summary = "Recorded decisions with their facts and outcomes, as NDJSON")
    @Get(produces = NDJSON)
    public HttpResponse<io.micronaut.http.server.types.files.StreamedFile> export(@Nullable @QueryValue String from, @Nullable @QueryValue String to, @Nullable @QueryValue Long limit) {
        Params.Window w = Params.window(from, to);
        long max = limit == null ? 1_000_000 : limit;
        if (max < 1 || max > MAX_LIMIT) throw ApiException.badRequest("out_of_range", "limit must be between 1 and " + MAX_LIMIT, "limit");
        if (!exports.tryAcquire()) {
            throw new ApiException(io.micronaut.http.HttpStatus.TOO_MANY_REQUESTS, "busy", "an export is already running (at most "
                    + MAX_EXPORTS + " at a time); try again when it is done", null, null);
        }
        // Streamed through a pipe: the database rows are written as they come on a thread of their own and
        // Netty sends the bytes as they are produced (a Writable would be buffered whole).
        java.io.PipedInputStream in = new java.io.PipedInputStream(1 << 20);
        java.io.PipedOutputStream pipe;
        try {
            pipe = new java.io.PipedOutputStream(in);
        } catch (IOException e) {
            exports.release();
            throw new UncheckedIOException(e);
        }
        Thread writer = new Thread(() -> {
            try (java.io.OutputStream out = new java.io.BufferedOutputStream(pipe, 1 << 16); JsonGenerator g = JSON.createGenerator(out)) {
                write(g, w, max);
            } catch (IOException | UncheckedIOException | dev.kairos.feedback.store.StoreException e) {
                LOG.info("replay export stopped: {}", e.toString());
            } finally {
                exports.release();
            }
        }, "kairos-replay-export");
        writer.setDaemon(true);
        writer.start();
        return HttpResponse.ok(new io.micronaut.http.server.types.files.StreamedFile(in, MediaType.of(NDJSON))).contentType(NDJSON);
    }

    private void write(JsonGenerator g, Params.Window w, long max) {
        store.streamReplay(w.from().toEpochMilli(), w.to().toEpochMilli(), max, row -> {
            try {
                g.writeStartObject();
                g.writeStringField("decisionId", row.decisionId());
                g.writeNumberField("decidedAt", row.decidedAt());
                g.writeStringField("rulesVersion", row.rulesVersion());
                g.writeFieldName("facts");
                g.writeRawValue(row.factsJson());
                g.writeArrayFieldStart("placements");
                for (FeedbackStore.ReplayPlacement p : row.placements()) {
                    g.writeStartObject();
                    g.writeStringField("placement", p.placement());
                    g.writeStringField("rule", p.rule());
                    g.writeStringField("contentId", p.contentId());
                    g.writeBooleanField("fallback", p.fallback());
                    g.writeBooleanField("shown", p.shown());
                    g.writeBooleanField("engaged", p.engaged());
                    g.writeBooleanField("dismissed", p.dismissed());
                    g.writeBooleanField("converted", p.converted());
                    // the probability the logged content was chosen with: below 1 where choose(...) explored
                    g.writeNumberField("propensity", p.propensity());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
                g.writeRaw('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
