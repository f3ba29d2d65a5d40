"""What a name says: the antibody scheme, modifiers (conjugate words, radiolabels, FDA
affixes), the general WHO stems, and the cross-checks of a reading against the registry."""
