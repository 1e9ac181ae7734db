/**
 * Serializers: the {@link dev.cairn.serialization.TypeSerializer} interface, the built-ins in
 * {@link dev.cairn.serialization.Serializers}, and {@link dev.cairn.serialization.SerializerSnapshot},
 * the id-based identity stored with state so an incompatible restore is refused.
 * A custom serializer implements {@code TypeSerializer} with an id of its own.
 */
package dev.cairn.serialization;
