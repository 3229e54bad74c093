import type { TargetName } from '../providers/types.js';
import type { AdapterFactory } from './types.js';

/** Each adapter loads on first use, so a Redis-only run never loads kafkajs or amqplib. */
export const ADAPTERS: Record<TargetName, () => Promise<AdapterFactory>> = {
  redis: async () => (await import('./redis.js')).createRedisAdapter,
  rabbitmq: async () => (await import('./rabbitmq.js')).createRabbitMQAdapter,
  kafka: async () => (await import('./kafka.js')).createKafkaAdapter,
};
