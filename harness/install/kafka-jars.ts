import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, whichSync } from '../core/binaries.js';
import { MissingPrerequisiteError } from '../core/errors.js';

export const KAFKA_VERSION = '4.1.1';
export const LOG4J_VERSION = '2.24.3';

/** The folder holding the Kafka broker jars and their runtime dependencies. */
export function kafkaLibsDir(): string {
  return path.join(cacheDir(), `kafka-${KAFKA_VERSION}`, 'libs');
}

export function kafkaJarsPresent(dir = kafkaLibsDir()): boolean {
  return (
    fs.existsSync(path.join(dir, `kafka_2.13-${KAFKA_VERSION}.jar`)) &&
    fs.existsSync(path.join(dir, `log4j-slf4j-impl-${LOG4J_VERSION}.jar`))
  );
}

/**
 * A throwaway Maven project whose only job is to copy kafka_2.13 and its runtime
 * dependencies. The log4j binding is added because Kafka ships none in its Maven
 * dependencies, and without one the broker runs silently.
 */
export function kafkaPom(): string {
  const dep = (g: string, a: string, v: string) =>
    `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId>` +
    `<version>${v}</version></dependency>`;
  return [
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>mqbench</groupId><artifactId>kafka-runtime</artifactId><version>1</version>',
    '  <packaging>pom</packaging>',
    '  <dependencies>',
    dep('org.apache.kafka', 'kafka_2.13', KAFKA_VERSION),
    dep('org.apache.logging.log4j', 'log4j-core', LOG4J_VERSION),
    dep('org.apache.logging.log4j', 'log4j-api', LOG4J_VERSION),
    dep('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J_VERSION),
    '  </dependencies>',
    '</project>',
    '',
  ].join('\n');
}

/** Fetches the jars from Maven Central with mvn, once; a second call does nothing. */
export function installKafkaJars(log: (line: string) => void): 'present' | 'installed' {
  const libs = kafkaLibsDir();
  if (kafkaJarsPresent(libs)) return 'present';
  const mvn = whichSync('mvn');
  if (!mvn) {
    throw new MissingPrerequisiteError(
      'Maven (mvn), needed to fetch the Kafka jars',
      'apt-get install maven',
    );
  }
  const work = path.join(path.dirname(libs), 'pom');
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(path.join(work, 'pom.xml'), kafkaPom());
  const staging = `${libs}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  log(`fetching kafka_2.13 ${KAFKA_VERSION} and its runtime dependencies with mvn`);
  execFileSync(
    mvn,
    [
      '-q',
      '-B',
      '-Dstyle.color=never',
      'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ],
    { cwd: work, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  fs.rmSync(libs, { recursive: true, force: true });
  fs.renameSync(staging, libs);
  return 'installed';
}
