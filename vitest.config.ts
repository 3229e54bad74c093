import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['harness/**/*.test.ts'],
          exclude: ['harness/**/*.int.test.ts', 'node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['harness/**/*.int.test.ts'],
          // Brokers are real processes on 2 cores: one file at a time, generous hooks
          // (a cold RabbitMQ start takes 7-9 s, longer than vitest's default 10 s budget
          // once the machine is busy).
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
