package com.listinglens.image;

/**
 * A colour name for a listing.
 *
 * @param name palette name, lower case ("red", "beige", ...)
 * @param hex the photographed colour itself as {@code #rrggbb} (the mean colour of the most telling pixel cluster
 *     that got this name), not the palette's reference colour
 * @param share fraction of the centre-weighted picture (0..1) that carries this name
 */
public record NamedColour(String name, String hex, double share) {}
