package dev.cairn.runtime.dataflow;

/** Control events that travel through channels between records. */
enum ChannelEvent {
    /** The producer will send no more records (barriers may still follow). */
    END_OF_DATA,
    /** The producer finished; nothing follows, not even barriers. */
    END_OF_PARTITION
}
