/** Cairn's exception hierarchy, rooted in {@link dev.cairn.error.CairnException}. */
package dev.cairn.error;
