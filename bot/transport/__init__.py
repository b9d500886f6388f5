"""Receiving and sending, channel-neutral: inbox (store, claim per chat), unit of work, outbox, paced sender.

See docs/UPDATES.md. A channel plugs in with a `ChannelPolicy`, an `InboundUpdate` per arrival, and a
`send(method, params, files)` coroutine for the sender.
"""
