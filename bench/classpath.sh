# Sourced by the benches (from the repository root): compiles the core library, its JNI library and its test classes
# (the bench programs live there) and sets $cp to run them on. The benches write their figures under the root's
# target/, which a fresh clone of the multi-module build does not have.
mkdir -p target
./mvnw -B -q ${LENS_BENCH_MVN_OPTS:-} -pl core test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >&2
cp="core/target/classes:core/target/test-classes:$(cat core/target/test-classpath.txt)"
