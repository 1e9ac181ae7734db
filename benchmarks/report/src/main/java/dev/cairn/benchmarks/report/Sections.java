package dev.cairn.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The report's sections in order; suites in the results without a section get a generic one. */
public final class Sections {
    /** One entry per suite; add the section of a new suite here. */
    public static final List<Section> ALL = List.of(new StateSection(), new SnapshotSection(), new RestoreSection(),
            new StorageSection(), new FileMergingSection());

    private Sections() {
    }

    /** The known sections, then a generic section for every other suite present in {@code suites}. */
    public static List<Section> forSuites(Set<String> suites) {
        List<Section> sections = new ArrayList<>(ALL);
        for (String suite : suites) {
            if (ALL.stream().noneMatch(s -> s.suite().equals(suite))) {
                sections.add(new GenericSection(suite));
            }
        }
        return sections;
    }

    /** A suite that has results but no section class yet: every Cairn and Flink system of the known pairs. */
    static final class GenericSection extends Section {
        private final String suite;

        GenericSection(String suite) {
            this.suite = suite;
        }

        @Override
        public String suite() {
            return suite;
        }

        @Override
        public String title() {
            return "Suite `" + suite + "`";
        }

        @Override
        public String description() {
            return "Results of the benchmarks in package `dev.cairn.benchmarks." + suite + "`; this suite has no "
                    + "report section yet, so it is shown with the standard pairs.";
        }

        @Override
        public List<Pairing> pairings() {
            List<Pairing> pairings = new ArrayList<>();
            for (Section s : ALL) {
                for (Pairing p : s.pairings()) {
                    if (!pairings.contains(p)) {
                        pairings.add(p);
                    }
                }
            }
            return pairings;
        }
    }
}
