import type { TargetName } from '../types.js';

/**
 * The broker images the docker provider starts, pinned by exact tag. docker/compose.yaml
 * names the same tags (a unit test holds the two together), so a run by hand and a run by
 * the harness test the same builds. Redis 7.0.15 and Kafka 4.1.1 match the local provider;
 * RabbitMQ does not: local runs Debian's 3.10.8, the image is 3.13.7, the last 3.x series.
 * The report prints each target's version, so a comparison across providers shows it.
 */
export const BROKER_IMAGES: Readonly<Record<TargetName, string>> = {
  redis: 'redis:7.0.15-bookworm',
  rabbitmq: 'rabbitmq:3.13.7',
  kafka: 'apache/kafka:4.1.1',
};

/**
 * Only the compose file runs Toxiproxy in a container. The harness runs its own Toxiproxy on
 * the host for every provider, so its proxies reach containers through host loopback ports.
 */
export const TOXIPROXY_IMAGE = 'ghcr.io/shopify/toxiproxy:2.12.0';

/** The broker version an image tag pins: `redis:7.0.15-bookworm` gives 7.0.15. */
export function imageVersion(image: string): string {
  const tag = image.slice(image.lastIndexOf(':') + 1);
  return /^\d+(?:\.\d+)*/.exec(tag)?.[0] ?? tag;
}
