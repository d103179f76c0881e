package dev.kairos.sdk.internal;

class MemoryEventQueueTest extends EventQueueContract {
    @Override
    EventQueue newQueue() {
        return new MemoryEventQueue();
    }
}
