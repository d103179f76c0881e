package dev.kairos.sdk;

/**
 * Counters since this client was built, for an app's own monitoring; see {@link Kairos#stats()}.
 * Immutable snapshot; the counters are read one after another, not atomically together.
 */
public final class Stats {
    private final long tracked;
    private final long persisted;
    private final long delivered;
    private final long rejected;
    private final long failed;
    private final long dropped;
    private final long queued;

    public Stats(long tracked, long persisted, long delivered, long rejected, long failed, long dropped, long queued) {
        this.tracked = tracked;
        this.persisted = persisted;
        this.delivered = delivered;
        this.rejected = rejected;
        this.failed = failed;
        this.dropped = dropped;
        this.queued = queued;
    }

    /** Events and outcomes handed to the SDK. */
    public long tracked() { return tracked; }
    /** Of those, written to the queue (on disk, unless the queue is in memory). */
    public long persisted() { return persisted; }
    /** Items the server took (new or duplicate). */
    public long delivered() { return delivered; }
    /** Items the server refused one by one. */
    public long rejected() { return rejected; }
    /** Items given up on after a 4xx no retry can fix. */
    public long failed() { return failed; }
    /** Items dropped because a queue was full. */
    public long dropped() { return dropped; }
    /** Items waiting in the queue now, including any recovered from an earlier run. */
    public long queued() { return queued; }

    @Override
    public String toString() {
        return "Stats{tracked=" + tracked + ", persisted=" + persisted + ", delivered=" + delivered + ", rejected=" + rejected
                + ", failed=" + failed + ", dropped=" + dropped + ", queued=" + queued + "}";
    }
}
