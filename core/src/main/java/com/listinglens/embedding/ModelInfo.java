package com.listinglens.embedding;

import java.nio.file.Path;

/**
 * What is actually being served: reported by health/info endpoints and stored beside an index so that a pool and
 * its queries can be checked to come from the same model.
 *
 * @param name the model's label
 * @param precision the precision in effect ("int8", "fp32" or "fp16")
 * @param device the device in effect ("cpu" or "gpu")
 * @param sha256 hex SHA-256 of the model file
 * @param dimension embedding length
 * @param path the model file
 */
public record ModelInfo(String name, String precision, String device, String sha256, int dimension, Path path) {}
