# Sourced by the benches (from the repository root): builds the bench module (bench/pom.xml: the bench programs) with
# the core library and its JNI library, and sets $cp to run them on: the module's classes and its runtime classpath
# (bench/target/classpath.txt, written at package; the core's jar and test jar among it). Every program runs as
#   "$JAVA_HOME/bin/java" @bench/jvm.options [-Xmx...] ${LENS_JAVA_OPTS:-} -cp "$cp" CLASS ...
# The benches write their figures under the root's target/, which a fresh clone of the multi-module build does not
# have. LENS_BENCH_MVN_OPTS: extra Maven options (-o, ...).
mkdir -p target
./mvnw -B -q ${LENS_BENCH_MVN_OPTS:-} -pl bench -am package -DskipTests >&2
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
