/**
 * The state API user code programs against: keyed state ({@link dev.cairn.state.ValueState},
 * {@link dev.cairn.state.ListState}, {@link dev.cairn.state.MapState},
 * {@link dev.cairn.state.ReducingState}, {@link dev.cairn.state.AggregatingState}), operator state
 * (split or union {@code ListState}, {@link dev.cairn.state.BroadcastState}) and their descriptors.
 */
package dev.cairn.state;
