/** The {@code s3://} blob provider on the AWS SDK for Java v2. */
package dev.cairn.storage.s3;
