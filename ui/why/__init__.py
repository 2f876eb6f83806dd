"""The "Why CNNs" tab: experiments that show why convolutions beat dense networks on images."""
