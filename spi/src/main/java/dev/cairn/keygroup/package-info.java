/** Key groups: how keys map to key groups and key groups to subtasks, so state can be rescaled. */
package dev.cairn.keygroup;
